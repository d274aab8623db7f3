// The scenario of the detect-stage unit tests: 30 phones for two minutes and three floods, one of
// each method, so that a member can be stopped in the middle of a flood.
import type { Scenario } from '../collector/synthetic';

export const THREE_FLOODS: Scenario = {
  startMs: Date.parse('2026-01-01T00:00:00Z'),
  seconds: 120,
  phones: 30,
  callsPerMinute: 3,
  seed: 3,
  attackers: [
    { ip: '203.0.113.10', method: 'INVITE', ratePerSecond: 40, startSecond: 20, durationSeconds: 10 },
    { ip: '203.0.113.11', method: 'REGISTER', ratePerSecond: 30, startSecond: 50, durationSeconds: 4 },
    { ip: '203.0.113.12', method: 'OPTIONS', ratePerSecond: 25, startSecond: 80, durationSeconds: 30 },
  ],
};
