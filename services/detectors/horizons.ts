// Horizons: one detector watching several time scales at once (a burst of 10 s, a sustained 10 min,
// a slow 6 h, a campaign of 24 h). A horizon is the detector's settings with some of them replaced
// (window, thresholds, severity, suppression, remediation), so a detector's evaluate step serves
// every horizon unchanged. The detector's own top-level settings are its first horizon.
import type { Remediation } from '../core/records';
import type { CommonSettings } from './definition';

/** One entry of a detector's `horizons:` list in the configuration. */
export interface HorizonOverride {
  name: string;
  window_seconds: number;
  remediation?: Remediation;
  [setting: string]: unknown;
}

export interface Horizon {
  /** undefined for the detector's own (top-level) window: its findings keep their historic ids */
  name: string | undefined;
  settings: CommonSettings;
  remediation?: Remediation;
}

export const HORIZON_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The horizons a detector's settings declare, its own window first. */
export function horizonsOf(settings: CommonSettings): Horizon[] {
  const { horizons, ...own } = settings;
  const out: Horizon[] = [{ name: undefined, settings: own as CommonSettings }];
  for (const h of horizons ?? []) {
    const { name, remediation, ...overrides } = h;
    const merged = { ...own } as Record<string, unknown>;
    for (const [k, v] of Object.entries(overrides)) {
      const base = merged[k];
      // an object setting (thresholds per method) is merged key by key, as the configuration is
      merged[k] = base && typeof base === 'object' && !Array.isArray(base) && v && typeof v === 'object' && !Array.isArray(v) ? { ...base, ...v } : v;
    }
    out.push({ name, settings: merged as unknown as CommonSettings, ...(remediation ? { remediation } : {}) });
  }
  return out;
}

/** JSON Schema of a `horizons:` list, given the detector's own settings schema. */
export function horizonsSchema(common: Record<string, unknown>, specific: Record<string, unknown>): Record<string, unknown> {
  const { enabled: _enabled, ...commonButEnabled } = common;
  return {
    type: 'array',
    maxItems: 6,
    items: {
      type: 'object',
      required: ['name', 'window_seconds'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: HORIZON_NAME.source },
        remediation: { enum: ['block-source', 'deny-peer', 'suspend-account', 'rate-limit', 'aggregate-limit', 'alert-only'] },
        ...commonButEnabled,
        ...specific,
      },
    },
  };
}
