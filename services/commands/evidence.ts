// `callsentry evidence export --finding ID -o evidence.pcap`: the sample SIP messages behind a
// finding, as a capture file for Wireshark, tshark or sngrep. The finding and its evidence records
// come from Elasticsearch (what `callsentry index` wrote), or from NDJSON files (--input).
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { evidencePcap } from '../collector/evidence/pcap-export';
import { CallsentryError } from '../core/errors';
import { linkEvidence } from '../core/evidence-link';
import type { Finding, SipEvidence } from '../core/records';
import { validateFinding, validateSipEvidence } from '../core/validate';
import { findingEvidenceFromElasticsearch } from '../adapters/elasticsearch/evidence-search';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'evidence',
  summary: 'Export the sample SIP messages behind a finding as a pcap file (secrets masked).',
  usage: 'callsentry evidence export --finding ID -o FILE.pcap [--input FILE.ndjson ...] [--max-calls N]',
  description:
    'The collector keeps sample SIP messages per source and account (collector.evidence), with digest responses, passwords and media keys ' +
    'masked to the same length. This writes the calls of one finding (its own sample flows first, then the calls sampled for its key during ' +
    'its window) as a classic pcap of raw IP packets: the original times, addresses, ports and transport, one packet per message. ' +
    'Without --input, the finding and its evidence are read from Elasticsearch (indexer.elasticsearch, indexer.index_prefix). ' +
    'Exits 1 with NOT_FOUND when the finding or its evidence is not there.',
  options: [
    CONFIG_OPTION,
    { name: 'finding', type: 'string', description: 'finding id (event.id of the finding)' },
    { name: 'output', short: 'o', type: 'string', description: 'pcap file to write' },
    { name: 'input', type: 'string', multiple: true, description: 'NDJSON file of finding and evidence records instead of Elasticsearch (repeatable)' },
    { name: 'elasticsearch', type: 'string', multiple: true, description: 'node URL (overrides indexer.elasticsearch.nodes)' },
    { name: 'max-calls', type: 'number', default: 10, description: 'calls (Call-IDs) written at most', range: { min: 1, max: 1000, integer: true } },
  ],
  examples: [
    'callsentry evidence export --finding 3f9c2a1b7d4e5f60718293a4 -o evidence.pcap && tshark -r evidence.pcap',
    'callsentry evidence export --finding 3f9c2a1b7d4e5f60718293a4 --input findings-and-evidence.ndjson -o evidence.pcap',
  ],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.positionals[0] !== 'export' || args.positionals.length !== 1) throw new CallsentryError('USAGE', `usage: ${spec.usage}`);
  const id = args.options.finding as string | undefined;
  if (!id) throw new CallsentryError('USAGE', '--finding ID is required (the id callsentry findings list shows)');
  const output = args.options.output as string | undefined;
  if (!output) throw new CallsentryError('USAGE', '-o FILE.pcap is required');
  const maxCalls = args.options['max-calls'] as number;
  const inputs = args.options.input as string[] | undefined;

  let finding: Finding | undefined;
  let records: SipEvidence[];
  if (inputs?.length) {
    const read = await readNdjson(inputs, id);
    finding = read.finding;
    records = read.evidence;
  } else {
    const cfg = loadConfig(args.options.config as string | undefined, io.env);
    const nodes = args.options.elasticsearch as string[] | undefined;
    if (nodes?.length) {
      if (nodes.some((n) => n.includes('@') || !/^https?:\/\/\S+$/.test(n))) throw new CallsentryError('USAGE', '--elasticsearch: expected URLs such as http://127.0.0.1:9200, without credentials');
      cfg.indexer.elasticsearch.nodes = nodes;
    }
    const found = await findingEvidenceFromElasticsearch(cfg.indexer, id, io.env);
    finding = found.finding;
    records = found.evidence;
  }
  if (!finding) throw new CallsentryError('NOT_FOUND', `no finding ${id} ${inputs?.length ? `in ${inputs.join(', ')}` : 'in Elasticsearch'}`);
  const linked = linkEvidence(finding, records, maxCalls);
  if (linked.records.length === 0) {
    throw new CallsentryError('NOT_FOUND', `finding ${id} (${finding.rule.id}, ${finding.key.type} ${finding.key.value}) has no evidence records: evidence is sampled from captures and HEP only, the first calls per key and window (collector.evidence)`);
  }
  const pcap = evidencePcap(linked.records);
  writeFileSync(output, pcap.bytes);
  io.out(`wrote ${pcap.packets} SIP messages of ${linked.calls.length} calls to ${output}${pcap.skipped ? ` (${pcap.skipped} SCTP messages not written)` : ''}`);
  return 0;
}

/** The finding with that id and every evidence record of the files; other lines are skipped. */
async function readNdjson(files: string[], id: string): Promise<{ finding?: Finding; evidence: SipEvidence[] }> {
  let finding: Finding | undefined;
  const evidence: SipEvidence[] = [];
  for (const file of files) {
    if (!existsSync(file)) throw new CallsentryError('USAGE', `--input ${file}: no such file`);
    const lines = createInterface({ input: createReadStream(file).on('error', () => undefined), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.includes('"callsentry.finding"') && !line.includes('"sip.evidence"')) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        if (validateSipEvidence(value)) evidence.push(value);
        else if (validateFinding(value) && value.event.id === id) finding = value;
      }
    } catch (err) {
      throw new CallsentryError('USAGE', `--input ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { ...(finding ? { finding } : {}), evidence };
}
