import { describe, expect, it } from 'vitest';
import { loadEmbedderConfig } from './config.js';

describe('embedder config', () => {
  it('applies the documented defaults', () => {
    const c = loadEmbedderConfig({ MODEL_DIR: '/models/e5' });
    expect(c).toMatchObject({ grpc: { port: 50051 }, http: { port: 8081 }, limits: { maxInputs: 64, maxInputBytes: 32768 }, ortSpinning: false });
  });

  it.each([
    [{}, /MODEL_DIR/],
    [{ MODEL_DIR: '/m', EMBEDDER_GRPC_PORT: 'http' }, /EMBEDDER_GRPC_PORT/],
    [{ MODEL_DIR: '/m', MODEL_PROFILE: 'bge' }, /MODEL_PROFILE/],
    [{ MODEL_DIR: '/m', EMBEDDER_QUEUE_CAPACITY: '0' }, /EMBEDDER_QUEUE_CAPACITY/],
    [{ MODEL_DIR: '/m', EMBEDDER_TLS_CERT: '/c.pem' }, /EMBEDDER_TLS_CERT and EMBEDDER_TLS_KEY/],
  ])('stops start-up naming the variable for %j', (env, message) => {
    expect(() => loadEmbedderConfig(env)).toThrow(message);
  });
});
