// Every detector, in one list. Adding a detector is one file plus its fixture, and a line here.
import Ajv from 'ajv';
import { CallsentryError } from '../core/errors';
import type { CommonSettings, DetectorDefinition } from './definition';
import sipRequestFlood from './sip-request-flood';

export const DETECTORS: ReadonlyArray<DetectorDefinition<CommonSettings>> = [sipRequestFlood as unknown as DetectorDefinition<CommonSettings>];

const COMMON_SCHEMA = {
  enabled: { type: 'boolean' },
  window_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
  suppress_seconds: { type: 'number', minimum: 0, maximum: 604800 },
  severity: { enum: ['low', 'medium', 'high', 'critical'] },
};

const ajv = new Ajv({ allErrors: true, strict: false });

/** Detectors with their settings: defaults overlaid by the `detectors:` section of the configuration. */
export function activeDetectors(
  overrides: Record<string, Record<string, unknown>> = {},
): Array<{ detector: DetectorDefinition<CommonSettings>; settings: CommonSettings }> {
  const unknown = Object.keys(overrides).filter((id) => !DETECTORS.some((d) => d.id === id));
  if (unknown.length) {
    throw new CallsentryError('BAD_CONFIG', `detectors: unknown detector id ${unknown.join(', ')} (known: ${DETECTORS.map((d) => d.id).join(', ')})`);
  }
  return DETECTORS.map((detector) => {
    const given = overrides[detector.id] ?? {};
    const check = ajv.compile({ type: 'object', additionalProperties: false, properties: { ...COMMON_SCHEMA, ...detector.settingsSchema } });
    if (!check(given)) {
      throw new CallsentryError('BAD_CONFIG', `detectors.${detector.id}: ${ajv.errorsText(check.errors, { dataVar: '' })}`);
    }
    const settings = { ...detector.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(given)) {
      const d = settings[k];
      settings[k] = d && typeof d === 'object' && !Array.isArray(d) && typeof v === 'object' ? { ...d, ...(v as object) } : v;
    }
    return { detector, settings: settings as unknown as CommonSettings };
  });
}
