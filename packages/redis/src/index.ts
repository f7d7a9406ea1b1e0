export {
  type RecommendedClientOptions,
  type RecommendedClusterOptions,
  recommendedClientOptions,
  recommendedClusterOptions,
  reconnectForever,
} from './client-options.js';
export { RedisReplayStoreError, type RedisReplayStoreFailure } from './errors.js';
export { type EvictionCheck, failureLimiterEvictionCheck } from './eviction.js';
export { fromIoredis, type IoredisLike, type IoredisPipelineLike } from './ioredis.js';
export { CLIENT_TAG_LENGTH, clientHashTag, DEFAULT_PREFIX, DIGEST_LENGTH, replayKey } from './key.js';
export {
  DEFAULT_FAILURE_PREFIX,
  failureKeys,
  type RedisEvalClient,
  RedisFailureLimiterError,
  type RedisFailureLimiterFailure,
  type RedisFailureLimiterOptions,
  redisFailureLimiter,
} from './limiter.js';
export type { SetThenWaitClient, SetThenWaitReplies, WaitForReplicasOptions } from './replicas.js';
export {
  DEFAULT_RETENTION_MARGIN,
  DEFAULT_TIMEOUT,
  type RedisReplayStoreOptions,
  type RedisSetClient,
  redisReplayStore,
  type SetNxPxOptions,
} from './store.js';
