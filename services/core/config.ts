// One YAML file configures everything; it is validated at start and every key has a default, so
// no file at all is the embedded default. Every key is documented in docs/configuration.md
// (config.test.ts checks that).
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { configProblems } from './config-checks';
import { describeSchemaErrors } from './config-errors';
import { DEFAULT_DIAL_PLANS, DIAL_PLANS_SCHEMA, type DialPlans } from './dial-plan';
import { CallsentryError } from './errors';
import { DEFAULT_VERDICTS, VERDICTS_SCHEMA, verdictProblems, type VerdictSettings } from './verdict-config';

export interface KafkaSettings {
  brokers: string[];
  client_id: string;
  /** true, or file paths of a private CA / client certificate */
  ssl: boolean | { ca_file?: string; cert_file?: string; key_file?: string; reject_unauthorized?: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password_env: string };
  connection_timeout_ms: number;
}

export interface ConsoleSettings {
  listen: string | null;
  /** no users: a one-time admin password is generated at start and printed once on stderr */
  users: Array<{ name: string; role: 'viewer' | 'operator' | 'admin'; password_hash?: string; token_env?: string }>;
  session_seconds: number;
  tls: { cert_file?: string; key_file?: string };
  /** the enforcer's operator API; null: http:// + api.listen */
  operator_api: string | null;
  /** /metrics endpoints of the stages whose health the console shows (production) */
  metrics_urls: string[];
  /** recent SIP flows kept for the search */
  flow_buffer: number;
}

/** Where and how the index stage writes to Elasticsearch. */
export interface IndexerSettings {
  elasticsearch: {
    nodes: string[];
    username?: string;
    password_env?: string;
    api_key_env?: string;
    ca_file?: string;
    request_timeout_ms: number;
  };
  index_prefix: string;
  retention_days: number;
  shards: number;
  replicas: number;
  bulk: { max_docs: number; max_bytes: number; retry_for_seconds: number };
}

export interface CallsentryConfig {
  bus: {
    kind: 'memory' | 'kafka';
    topic_prefix: string;
    partitions: number;
    replication_factor: number;
    kafka: KafkaSettings;
  };
  collector: {
    sensor: string;
    tenant?: string;
    max_line_bytes: number;
    /** limits of this sensor's HEP listener (`callsentry collector --hep-udp|--hep-tcp`) */
    hep: { max_future_ms: number; max_connections_per_source: number; message_deadline_seconds: number; idle_timeout_seconds: number };
    /** sample SIP messages kept as evidence records (services/collector/evidence, docs/evidence.md) */
    evidence: EvidenceSettings;
  };
  indexer: IndexerSettings;
  /** detect stages: how often each snapshots its engines (docs/state.md) */
  detect: { snapshot_every_records: number; snapshot_every_seconds: number; max_snapshot_bytes: number };
  /** per detector id: its settings (validated against the detector's own schema) */
  detectors: Record<string, Record<string, unknown>>;
  decisions: { mode: 'dry-run' | 'enforce'; block_ttl_seconds: number; first_ban_seconds: number; rate_limit_ttl_seconds: number };
  enforcer: {
    allowlist: string[];
    /** the platform's own addresses, never blocked (services/enforcer/platform-addresses.ts) */
    platform: { addresses: string[]; ignore_self: boolean; learn_servers: boolean };
    actuators: Array<'dry-run' | 'nftables' | 'coturn'>;
    nftables: { table: string; netns?: string; rate_limit_pps: number; rate_limit_burst: number; aggregate_limit_pps: number; aggregate_limit_burst: number };
    guardrails: {
      max_new_blocks_per_minute: number;
      max_unproven_bans_per_minute: number;
      breaker_cooldown_seconds: number;
      max_live_blocks: number;
      repeat_offender: { factor: number; max_ttl_seconds: number; memory_seconds: number };
    };
    reconcile_interval_seconds: number;
    coturn: {
      redis: { host: string; port: number; db: number; password_env?: string };
      realm: string;
      cli?: { host: string; port: number; password_env: string };
    };
  };
  /** the operator API (and later the console) */
  api: {
    listen: string | null;
    token_env: string;
    /** the token every request carries; made at the first start, mode 0600 */
    token_file: string;
    /** operator allowlist ranges wider than this (a shorter prefix) need force */
    allowlist_min_prefix: { ipv4: number; ipv6: number };
    /** findings and decisions (each) the API process keeps in memory for `findings list`, `blocks show` ... */
    history_size: number;
  };
  /** Prometheus endpoint of each process */
  metrics: { listen: string | null };
  /** the NOC console (services/console) */
  console: ConsoleSettings;
  alerting: {
    alertmanager_url: string | null;
    webhooks: Array<{ name: string; url: string; secret_env: string }>;
    routes: Array<{ severity?: string[]; tenant?: string[]; sinks: string[] }>;
    resolve_after_seconds: number;
    resend_seconds: number;
    max_keys_per_group: number;
    runbook_base_url: string;
  };
  /** the hash-chained audit trail and its signed exports (services/audit) */
  audit: {
    /** null: `callsentry audit` writes .callsentry/audit.ndjson, `callsentry start` keeps the chain in memory */
    log_file: string | null;
    signing_key_file: string | null;
    /** fingerprints of the keys `audit verify` trusts (pinned at first use) */
    trusted_keys_file: string;
    /** signed checkpoints the writer puts into the log (when signing_key_file is set) */
    checkpoint: { every_entries: number; every_seconds: number };
    export: { schedule: string | null; dir: string; format: 'csv' | 'ndjson' };
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
  /** how each tenant's phones dial out, so the collector reads every dialled number as E.164 */
  dial_plans: DialPlans;
  /** the pre-call verdict service (services/verdicts, docs/verdicts.md) */
  verdicts: VerdictSettings;
  /** correlation of findings into incidents (services/incidents, docs/incidents.md) */
  incidents: IncidentSettings;
}

export interface IncidentSettings {
  /** an incident with no new finding for this long closes; a later finding on its keys opens a new one */
  gap_seconds: number;
  /** incidents held in memory; past it the longest-quiet one closes early */
  max_open: number;
  /** keys one incident may join; past it, new links no longer grow it */
  max_keys: number;
  /** timeline entries kept per incident (finding_count counts them all) */
  max_timeline: number;
  /** evidence.observed set names whose values are linked keys, per key type */
  link_sets: { ip: string[]; account: string[]; number: string[] };
  /** a finding naming more values than this in one link set (a spray from many sources) links none of them */
  max_links_per_set: number;
}

export const DEFAULT_CONFIG: CallsentryConfig = {
  bus: {
    kind: 'memory',
    topic_prefix: '',
    partitions: 4,
    replication_factor: 1,
    kafka: { brokers: ['127.0.0.1:9092'], client_id: 'callsentry', ssl: false, connection_timeout_ms: 5000 },
  },
  collector: {
    sensor: 'default',
    max_line_bytes: 65536,
    hep: { max_future_ms: 2000, max_connections_per_source: 8, message_deadline_seconds: 10, idle_timeout_seconds: 300 },
    evidence: { enabled: true, calls_per_key: 5, window_seconds: 600, max_messages_per_call: 20, max_message_bytes: 4096, max_keys: 10_000, max_records_per_second: 200 },
  },
  indexer: {
    elasticsearch: { nodes: ['http://127.0.0.1:9200'], request_timeout_ms: 30000 },
    index_prefix: '',
    retention_days: 30,
    shards: 1,
    replicas: 1,
    bulk: { max_docs: 1000, max_bytes: 5242880, retry_for_seconds: 120 },
  },
  detect: { snapshot_every_records: 10_000, snapshot_every_seconds: 5, max_snapshot_bytes: 64 * 1024 * 1024 },
  detectors: {},
  decisions: { mode: 'dry-run', block_ttl_seconds: 600, first_ban_seconds: 300, rate_limit_ttl_seconds: 300 },
  enforcer: {
    allowlist: [],
    platform: { addresses: [], ignore_self: true, learn_servers: true },
    actuators: ['dry-run'],
    nftables: { table: 'callsentry', rate_limit_pps: 50, rate_limit_burst: 100, aggregate_limit_pps: 500, aggregate_limit_burst: 1000 },
    guardrails: {
      max_new_blocks_per_minute: 100,
      max_unproven_bans_per_minute: 20,
      breaker_cooldown_seconds: 300,
      max_live_blocks: 10_000,
      repeat_offender: { factor: 2, max_ttl_seconds: 86_400, memory_seconds: 86_400 },
    },
    reconcile_interval_seconds: 60,
    coturn: { redis: { host: '127.0.0.1', port: 6379, db: 5 }, realm: 'callsentry.test' },
  },
  api: { listen: '127.0.0.1:9470', token_env: 'CALLSENTRY_API_TOKEN', token_file: '.callsentry/api-token', allowlist_min_prefix: { ipv4: 8, ipv6: 32 }, history_size: 10_000 },
  metrics: { listen: '127.0.0.1:9464' },
  console: { listen: '127.0.0.1:8470', users: [], session_seconds: 28_800, tls: {}, operator_api: null, metrics_urls: [], flow_buffer: 100_000 },
  alerting: {
    alertmanager_url: null,
    webhooks: [],
    routes: [],
    resolve_after_seconds: 300,
    resend_seconds: 60,
    max_keys_per_group: 20,
    runbook_base_url: 'https://github.com/callsentry/callsentry/blob/main/docs/runbooks',
  },
  audit: { log_file: null, signing_key_file: null, trusted_keys_file: '.callsentry/audit-trusted-keys', checkpoint: { every_entries: 1000, every_seconds: 300 }, export: { schedule: '0 0 * * *', dir: '.callsentry/audit-exports', format: 'ndjson' } },
  log: { level: 'info' },
  dial_plans: DEFAULT_DIAL_PLANS,
  verdicts: DEFAULT_VERDICTS,
  incidents: { gap_seconds: 1800, max_open: 10_000, max_keys: 200, max_timeline: 200, link_sets: { ip: ['sources', 'failed_sources'], account: ['accounts'], number: ['numbers'] }, max_links_per_set: 5 },
};

/** The longest block, ban, rate limit or memory of an offence: one year (every expiry stays a valid date). */
export const MAX_TTL_SECONDS = 31_536_000;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bus: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { enum: ['memory', 'kafka'] },
        topic_prefix: { type: 'string', pattern: '^[A-Za-z0-9._-]*$', maxLength: 100 },
        partitions: { type: 'integer', minimum: 1, maximum: 1024 },
        replication_factor: { type: 'integer', minimum: 1, maximum: 16 },
        kafka: {
          type: 'object',
          additionalProperties: false,
          properties: {
            brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' } },
            client_id: { type: 'string', minLength: 1 },
            ssl: {
              anyOf: [
                { type: 'boolean' },
                {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    ca_file: { type: 'string' },
                    cert_file: { type: 'string' },
                    key_file: { type: 'string' },
                    reject_unauthorized: { type: 'boolean' },
                  },
                },
              ],
            },
            sasl: {
              type: 'object',
              additionalProperties: false,
              required: ['mechanism', 'username', 'password_env'],
              properties: {
                mechanism: { enum: ['plain', 'scram-sha-256', 'scram-sha-512'] },
                username: { type: 'string' },
                password_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
              },
            },
            connection_timeout_ms: { type: 'integer', minimum: 100, maximum: 600_000 },
          },
        },
      },
    },
    collector: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sensor: { type: 'string', minLength: 1, maxLength: 128 },
        tenant: { type: 'string', minLength: 1, maxLength: 128 },
        max_line_bytes: { type: 'integer', minimum: 1024, maximum: 16777216 },
        hep: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_future_ms: { type: 'integer', minimum: 0, maximum: 300_000 },
            max_connections_per_source: { type: 'integer', minimum: 1, maximum: 256 },
            message_deadline_seconds: { type: 'integer', minimum: 1, maximum: 3600 },
            idle_timeout_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
          },
        },
        evidence: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            calls_per_key: { type: 'integer', minimum: 1, maximum: 100 },
            window_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
            max_messages_per_call: { type: 'integer', minimum: 1, maximum: 200 },
            max_message_bytes: { type: 'integer', minimum: 256, maximum: 65_536 },
            max_keys: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            max_records_per_second: { type: 'integer', minimum: 1, maximum: 100_000 },
          },
        },
      },
    },
    indexer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        elasticsearch: {
          type: 'object',
          additionalProperties: false,
          properties: {
            // no user:password@ in URLs: secrets come from the environment
            nodes: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://[^\\s@]+$' } },
            username: { type: 'string', minLength: 1 },
            password_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
            api_key_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
            ca_file: { type: 'string' },
            request_timeout_ms: { type: 'integer', minimum: 100, maximum: 600_000 },
          },
        },
        // index names are lower case and may not start with -, _ or +
        index_prefix: { type: 'string', pattern: '^([a-z0-9][a-z0-9._-]*)?$', maxLength: 100 },
        retention_days: { type: 'integer', minimum: 1, maximum: 36500 },
        shards: { type: 'integer', minimum: 1, maximum: 64 },
        replicas: { type: 'integer', minimum: 0, maximum: 8 },
        bulk: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_docs: { type: 'integer', minimum: 1, maximum: 100000 },
            max_bytes: { type: 'integer', minimum: 65536, maximum: 104857600 },
            retry_for_seconds: { type: 'integer', minimum: 1, maximum: 3600 },
          },
        },
        // removed: the collector reads dialled numbers with dial_plans (config-checks.ts names the new key)
        international_prefixes: { type: 'array' },
      },
    },
    detect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        snapshot_every_records: { type: 'integer', minimum: 100, maximum: 10_000_000 },
        snapshot_every_seconds: { type: 'number', minimum: 0.1, maximum: 3600 },
        max_snapshot_bytes: { type: 'integer', minimum: 1_048_576, maximum: 1_073_741_824 },
      },
    },
    detectors: { type: 'object', additionalProperties: { type: 'object' } },
    decisions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['dry-run', 'enforce'] },
        block_ttl_seconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
        first_ban_seconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
        rate_limit_ttl_seconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
      },
    },
    enforcer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowlist: { type: 'array', items: { type: 'string', maxLength: 64 } },
        platform: {
          type: 'object',
          additionalProperties: false,
          properties: {
            addresses: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 10000 },
            ignore_self: { type: 'boolean' },
            learn_servers: { type: 'boolean' },
          },
        },
        actuators: { type: 'array', items: { enum: ['dry-run', 'nftables', 'coturn'] }, uniqueItems: true },
        coturn: {
          type: 'object',
          additionalProperties: false,
          properties: {
            redis: {
              type: 'object',
              additionalProperties: false,
              properties: {
                host: { type: 'string', minLength: 1 },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                db: { type: 'integer', minimum: 0, maximum: 15 },
                password_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
              },
            },
            realm: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,128}$' },
            cli: {
              type: 'object',
              additionalProperties: false,
              required: ['host', 'port', 'password_env'],
              properties: {
                host: { type: 'string', minLength: 1 },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                password_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
              },
            },
          },
        },
        nftables: {
          type: 'object',
          additionalProperties: false,
          properties: {
            table: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' },
            netns: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            rate_limit_pps: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            rate_limit_burst: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            aggregate_limit_pps: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            aggregate_limit_burst: { type: 'integer', minimum: 1, maximum: 10_000_000 },
          },
        },
        guardrails: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_new_blocks_per_minute: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            max_unproven_bans_per_minute: { type: 'integer', minimum: 0, maximum: 1_000_000 },
            breaker_cooldown_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
            max_live_blocks: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            repeat_offender: {
              type: 'object',
              additionalProperties: false,
              properties: {
                factor: { type: 'number', minimum: 1, maximum: 100 },
                max_ttl_seconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
                memory_seconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
              },
            },
          },
        },
        reconcile_interval_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
      },
    },
    api: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[^\\s]+:\\d+$' }] },
        token_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
        token_file: { type: 'string', minLength: 1 },
        allowlist_min_prefix: {
          type: 'object',
          additionalProperties: false,
          properties: { ipv4: { type: 'integer', minimum: 0, maximum: 32 }, ipv6: { type: 'integer', minimum: 0, maximum: 128 } },
        },
        history_size: { type: 'integer', minimum: 100, maximum: 1_000_000 },
      },
    },
    alerting: {
      type: 'object',
      additionalProperties: false,
      properties: {
        alertmanager_url: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^https?://\\S+$' }] },
        webhooks: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'url', 'secret_env'],
            properties: {
              name: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
              url: { type: 'string', pattern: '^https?://\\S+$' },
              secret_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
            },
          },
        },
        routes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sinks'],
            properties: {
              severity: { type: 'array', items: { enum: ['low', 'medium', 'high', 'critical'] } },
              tenant: { type: 'array', items: { type: 'string' } },
              sinks: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        resolve_after_seconds: { type: 'integer', minimum: 1, maximum: 604_800 },
        resend_seconds: { type: 'integer', minimum: 1, maximum: 604_800 },
        max_keys_per_group: { type: 'integer', minimum: 1, maximum: 10_000 },
        runbook_base_url: { type: 'string', minLength: 1 },
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      properties: { listen: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[^\\s]+:\\d+$' }] } },
    },
    console: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[^\\s]+:\\d+$' }] },
        users: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'role'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,64}$' },
              role: { enum: ['viewer', 'operator', 'admin'] },
              password_hash: { type: 'string', pattern: '^scrypt\\$' },
              token_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
            },
          },
        },
        session_seconds: { type: 'integer', minimum: 60, maximum: 604_800 },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { cert_file: { type: 'string', minLength: 1 }, key_file: { type: 'string', minLength: 1 } },
        },
        operator_api: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^https?://\\S+$' }] },
        metrics_urls: { type: 'array', items: { type: 'string', pattern: '^https?://\\S+$' } },
        flow_buffer: { type: 'integer', minimum: 100, maximum: 1_000_000 },
      },
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      properties: {
        log_file: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1 }] },
        signing_key_file: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1 }] },
        trusted_keys_file: { type: 'string', minLength: 1 },
        checkpoint: {
          type: 'object',
          additionalProperties: false,
          properties: {
            every_entries: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            every_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
          },
        },
        export: {
          type: 'object',
          additionalProperties: false,
          properties: {
            schedule: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 9, maxLength: 100 }] },
            dir: { type: 'string', minLength: 1 },
            format: { enum: ['csv', 'ndjson'] },
          },
        },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['debug', 'info', 'warn', 'error'] } },
    },
    dial_plans: DIAL_PLANS_SCHEMA,
    verdicts: VERDICTS_SCHEMA,
    incidents: {
      type: 'object',
      additionalProperties: false,
      properties: {
        gap_seconds: { type: 'integer', minimum: 1, maximum: 604_800 },
        max_open: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        max_keys: { type: 'integer', minimum: 1, maximum: 1000 },
        max_timeline: { type: 'integer', minimum: 1, maximum: 1000 },
        link_sets: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(['ip', 'account', 'number'].map((k) => [k, { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } }])),
        },
        max_links_per_set: { type: 'integer', minimum: 1, maximum: 100 },
      },
    },
  },
} as const;

// verbose: each error carries its value and its schema, so a refusal can say what is allowed
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(CONFIG_SCHEMA);

/** Parses and validates a YAML configuration text; unknown keys and wrong types are errors. */
export function parseConfig(text: string, source = 'configuration'): CallsentryConfig {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : parseYaml(text);
  } catch (err) {
    throw new CallsentryError('BAD_CONFIG', `${source}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (raw === null || raw === undefined) raw = {};
  if (!validate(raw)) {
    throw new CallsentryError('BAD_CONFIG', `${source}: ${describeSchemaErrors(validate.errors).join('; ')}`);
  }
  const cfg = mergeDefaults(DEFAULT_CONFIG, raw as Partial<CallsentryConfig>);
  const why = [...configProblems(cfg), ...verdictProblems(cfg.verdicts)];
  if (why.length) throw new CallsentryError('BAD_CONFIG', `${source}: ${why.join('; ')}`);
  return cfg;
}

function mergeDefaults<T>(defaults: T, overrides: unknown): T {
  if (overrides === undefined) return defaults;
  if (Array.isArray(defaults) || typeof defaults !== 'object' || defaults === null) return overrides as T;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) return overrides as T;
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(overrides)) out[k] = mergeDefaults((defaults as Record<string, unknown>)[k], v);
  return out as T;
}

/** collector.evidence: which SIP messages are kept as evidence records, and how much of them */
export interface EvidenceSettings {
  enabled: boolean;
  calls_per_key: number;
  window_seconds: number;
  max_messages_per_call: number;
  max_message_bytes: number;
  max_keys: number;
  max_records_per_second: number;
}
