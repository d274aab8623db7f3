// Every verdict rule has a fixture (rules/<name>.fixture.json) with calls it must object to and
// calls it must let through; the rule alone is asked, with the state the fixture's records build.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { callContext } from '../judge';
import { fixtureSettings, fixtureState, type RuleFixture } from '../fixture';
import { VERDICT_RULES } from '.';

const dir = __dirname;
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.fixture.json'))
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RuleFixture);

describe('verdict rule fixtures', () => {
  it('every verdict rule has a fixture test, with a call it objects to and one it lets through', () => {
    for (const rule of VERDICT_RULES) {
      const f = fixtures.find((x) => x.rule === rule.id);
      expect(f ? rule.id : `${rule.id} has no fixture`).toBe(rule.id);
      expect(f!.cases.some((c) => c.expect !== 'none')).toBe(true);
      expect(f!.cases.some((c) => c.expect === 'none')).toBe(true);
    }
  });

  describe.each(fixtures.map((f) => [f.rule, f] as const))('%s', (id, f) => {
    const rule = VERDICT_RULES.find((r) => r.id === id)!;
    const s = fixtureSettings(f);
    it.each(f.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { state, deck } = fixtureState(f, s);
      const got = rule.judge(callContext(c.query, s, deck, Date.parse(f.now)), state, s);
      expect(got?.verdict ?? 'none').toBe(c.expect);
      if (c.reason) expect(got?.reason).toContain(c.reason);
    });
  });
});
