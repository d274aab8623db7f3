import { DEFAULT_CONFIG } from '../../core/config';
import { createClient } from './es-client';

const base = DEFAULT_CONFIG.indexer.elasticsearch;

describe('Elasticsearch client from configuration', () => {
  it('reads the password from the environment variable the configuration names', async () => {
    const client = createClient({ ...base, username: 'indexer', password_env: 'ES_PW' }, { ES_PW: 'pw' });
    await client.close();
    expect(() => createClient({ ...base, username: 'indexer', password_env: 'ES_PW' }, {})).toThrow(/environment variable ES_PW .* is not set/);
  });

  it('needs password_env with a username, and reads an API key from its variable', async () => {
    expect(() => createClient({ ...base, username: 'indexer' }, {})).toThrow(/needs password_env/);
    expect(() => createClient({ ...base, api_key_env: 'ES_KEY' }, {})).toThrow(/ES_KEY/);
    await createClient({ ...base, api_key_env: 'ES_KEY' }, { ES_KEY: 'k' }).close();
  });
});
