import { DEFAULT_CONFIG, parseConfig } from './config';

describe('indexer configuration', () => {
  it('overlays given keys on the defaults', () => {
    const cfg = parseConfig('indexer:\n  index_prefix: prod.\n  retention_days: 90\n  bulk:\n    max_docs: 5000\n');
    expect(cfg.indexer).toEqual({ ...DEFAULT_CONFIG.indexer, index_prefix: 'prod.', retention_days: 90, bulk: { ...DEFAULT_CONFIG.indexer.bulk, max_docs: 5000 } });
  });

  it.each([
    ['credentials in a node URL', 'indexer:\n  elasticsearch:\n    nodes: ["http://elastic:pw@es1:9200"]\n', /indexer\.elasticsearch\.nodes\[0\]: "http:\/\/\*\*\*@es1:9200" is not allowed; expected text matching/],
    ['a password in the file', 'indexer:\n  elasticsearch:\n    password: pw\n', /indexer\.elasticsearch\.password: unknown key/],
    ['an index prefix Elasticsearch refuses (upper case)', 'indexer:\n  index_prefix: Prod.\n', /indexer\.index_prefix: "[^"]+" is not allowed; expected text matching/],
    ['an index prefix starting with _', 'indexer:\n  index_prefix: _x\n', /indexer\.index_prefix: "[^"]+" is not allowed; expected text matching/],
    ['a retention of zero days', 'indexer:\n  retention_days: 0\n', /indexer\.retention_days: 0 is not allowed; expected a whole number from 1 to 36500/],
  ])('rejects %s', (_what, text, why) => {
    expect(() => parseConfig(text, 'test.yaml')).toThrow(why);
  });
});
