import { runCli } from './test-io';

describe('callsentry collector --hep-*', () => {
  it.each([['--hep-udp', '0.0.0.0:0'], ['--hep-tcp', '[::]:0'], ['--hep-udp', '192.0.2.10:9060']])('refuses %s %s without an auth key, and says how to go on', async (flag, addr) => {
    // on Kafka (a broker that is never reached: the bind is refused before anything connects)
    const res = await runCli(['collector', flag, addr], { env: { CALLSENTRY_KAFKA_BROKERS: '127.0.0.1:1' } });
    expect(res.code).not.toBe(0);
    expect(res.err.join('\n')).toMatch(/is not loopback and no auth key is set: whoever reaches it chooses the addresses of flows\. Set --hep-auth-key-env, listen on 127\.0\.0\.1, or pass --hep-allow-unauthenticated/);
  });
});
