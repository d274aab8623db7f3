// One composable index template per kind, installed (or updated) at start: every new daily index
// gets its settings and explicit mapping. Existing indices keep the mapping they were created with.
import type { IndexKind } from '../../core/ports';
import { indexBase, INDEX_KINDS } from './index-names';
import { mappingFor } from './mappings';

export interface IndexTemplate {
  name: string;
  index_patterns: string[];
  priority: number;
  template: { settings: Record<string, unknown>; mappings: Record<string, unknown> };
  _meta: Record<string, unknown>;
}

export function indexTemplates(prefix: string, shards: number, replicas: number): IndexTemplate[] {
  return INDEX_KINDS.map((kind: IndexKind) => ({
    name: indexBase(prefix, kind),
    index_patterns: [`${indexBase(prefix, kind)}-*`],
    // above the stack's built-in templates (100), so ours wins wherever they exist
    priority: 200,
    template: {
      settings: { number_of_shards: shards, number_of_replicas: replicas },
      mappings: mappingFor(kind),
    },
    _meta: { managed_by: 'callsentry', schema_version: 1 },
  }));
}
