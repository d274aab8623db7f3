import { runCli } from './test-io';

describe('callsentry index', () => {
  it('refuses a node URL with credentials without printing them', async () => {
    const res = await runCli(['index', '--elasticsearch', 'http://elastic:s3cret@es1:9200']);
    expect(res.code).toBe(2);
    expect(res.err.join('\n')).toMatch(/must not carry credentials/);
    expect(res.err.join('\n')).not.toContain('s3cret');
  });

  it('refuses a node that is not an http(s) URL', async () => {
    const res = await runCli(['index', '--elasticsearch', 'es1:9200']);
    expect(res.code).toBe(2);
    expect(res.err.join('\n')).toMatch(/expected a URL such as http:\/\/127\.0\.0\.1:9200/);
  });

  it('says it needs Kafka when the bus is the in-process one', async () => {
    const res = await runCli(['index']);
    expect(res.code).toBe(1);
    expect(res.err.join('\n')).toMatch(/reads the topics of a Kafka cluster.*CALLSENTRY_KAFKA_BROKERS.*\[BAD_CONFIG\]/);
  });
});
