import { Redis } from 'ioredis';
import { fromIoredis } from '../src/index.js';
import { basicReplaySuite } from './basic-suite.js';

basicReplaySuite('ioredis 5 (fromIoredis)', async (url) => {
  const connectOne = async () => {
    const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const [a, b] = await Promise.all([connectOne(), connectOne()]);
  return {
    a: fromIoredis(a),
    b: fromIoredis(b),
    pttl: (key) => a.pttl(key),
    keys: (pattern) => a.keys(pattern),
    close: async () => {
      a.disconnect();
      b.disconnect();
    },
  };
});
