export { type RecommendedClientOptions, recommendedClientOptions, reconnectForever } from './client-options.js';
export { RedisReplayStoreError, type RedisReplayStoreFailure } from './errors.js';
export { fromIoredis, type IoredisLike } from './ioredis.js';
export { DEFAULT_PREFIX, DIGEST_LENGTH, replayKey } from './key.js';
export {
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_TIMEOUT,
  type RedisReplayStoreOptions,
  type RedisSetClient,
  redisReplayStore,
  type SetNxPxOptions,
} from './store.js';
