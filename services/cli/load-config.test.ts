import { loadConfig } from './load-config';

describe('loadConfig: environment overrides', () => {
  it('picks the Kafka client library from CALLSENTRY_KAFKA_CLIENT and refuses one it does not know', () => {
    expect(loadConfig(undefined, {}).bus.kafka.client).toBe('kafkajs');
    expect(loadConfig(undefined, { CALLSENTRY_KAFKA_CLIENT: 'platformatic' }).bus.kafka.client).toBe('platformatic');
    expect(() => loadConfig(undefined, { CALLSENTRY_KAFKA_CLIENT: 'librdkafka' })).toThrow(/CALLSENTRY_KAFKA_CLIENT must be kafkajs or platformatic/);
  });
});
