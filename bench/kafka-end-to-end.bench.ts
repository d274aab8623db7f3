// The detect path on the real broker, over one topic of 1,000,000 SIP flows (the synthetic office
// of the test scenarios stretched to 55 minutes, 4 partitions), filled once per run and then read,
// in this order, by:
//   (a) Kafka's own ConsumerPerformance (the broker's jars): its fetch rate (fetch.nMsg.sec, the
//       time after the group join) and its headline rate (the whole run, JVM start aside);
//   (b) our bus adapter alone (kafkajs), in a process of its own: consume, no detect;
//   (c) one `callsentry detect` process: decode, every detector, findings.
// Each rate is also printed as a ratio of (a)'s fetch rate. Needs the broker (bench/run.sh starts it).
// CALLSENTRY_BENCH_KAFKA_RECORDS changes the number of records. The comparison with @platformatic/kafka
// (docs/benchmarks.md) ran at commit c62a2e6, where that adapter still exists.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createRuntime, ensureTopics } from '../services/runtime/runtime';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka } from '../test/support/kafka';
import { HUNDRED_K } from '../test/support/scenarios';
import { fillTopics } from './kafka-fill';
import { runDetectMember } from './kafka-detect-member';
import { report } from './report';

const RECORDS = Number(process.env.CALLSENTRY_BENCH_KAFKA_RECORDS ?? 1_000_000);
const CLIENTS = ['kafkajs'] as const;
const PARTITIONS = 4;
/** the 100,000-record office (330 s) stretched to 55 minutes of event time: just over 1,000,000 flows */
const OFFICE = { ...HUNDRED_K, seconds: 3_320 };

async function main(): Promise<void> {
  await requireKafka();
  const cfg = kafkaConfig(PARTITIONS);
  const prefix = cfg.bus.topic_prefix;
  const rt = createRuntime(cfg);
  try {
    await ensureTopics(rt);
    const sipTopic = rt.topics.name('flows.sip.v1');
    const filled = await fillTopics(rt, OFFICE, RECORDS, KAFKA_BROKERS);
    const sip = filled.topics[sipTopic] ?? 0;
    const all = Object.values(filled.topics).reduce((a, b) => a + b, 0);
    report('kafka fill', { records: sip, all_topics_records: all, seconds: filled.seconds, records_per_s: Math.round(all / filled.seconds), load_1m: load() });

    const perf = consumerPerformance(sipTopic, sip);
    report('kafka ConsumerPerformance', {
      records: sip,
      fetch_records_per_s: Math.round(perf.fetchRecordsPerS),
      records_per_s: Math.round(perf.recordsPerS),
      fetch_mb_per_s: perf.fetchMbPerS,
      mb_per_s: perf.mbPerS,
      peak_rss_mb: Math.round(perf.peakRssMb),
      load_1m: load(),
    });

    for (const client of CLIENTS) {
      const c = consumeOnly(client, sipTopic, `${prefix}bench-consume-only-${client}`, sip);
      report(`kafka consume only (${client})`, {
        records: c.records,
        records_per_s: Math.round(c.records / c.seconds),
        ratio_to_fetch_rate: c.records / c.seconds / perf.fetchRecordsPerS,
        startup_seconds: c.startup_seconds,
        peak_rss_mb: c.peak_rss_mb,
        load_1m: load(),
      });
    }
    for (const client of CLIENTS) {
      const m = await runDetectMember({ client, brokers: KAFKA_BROKERS, prefix, partitions: PARTITIONS, records: all });
      // the next member starts from the beginning again, as a fresh one
      await deleteGroups(['detect-source', 'detect-account', 'detect-media'].map((g) => rt.topics.group(g)));
      report(`kafka detect member (${client})`, {
        records: m.records,
        records_per_s: Math.round(m.records / m.seconds),
        ratio_to_fetch_rate: m.records / m.seconds / perf.fetchRecordsPerS,
        startup_seconds: m.startup_seconds,
        peak_rss_mb: m.peak_rss_mb,
        load_1m: load(),
      });
    }
  } finally {
    await rt.bus.close();
    await deleteTopics(prefix);
  }
}

function consumerPerformance(topic: string, records: number) {
  const script = path.resolve(__dirname, '../../infra/kafka/consumer-perf.sh');
  // GNU time's %M: the peak RSS of the largest process under it (the JVM), in KiB, on stderr
  const run = spawnSync('/usr/bin/time', ['-f', 'peak_rss_kb=%M', 'bash', script, topic, String(records), KAFKA_BROKERS[0]], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`consumer-perf.sh failed (${run.status}): ${run.stderr}`);
  const field = (name: string, text: string) => Number(new RegExp(`^${name}=([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    fetchRecordsPerS: field('fetch_records_per_sec', run.stdout),
    recordsPerS: field('records_per_sec', run.stdout),
    fetchMbPerS: field('fetch_mb_per_sec', run.stdout),
    mbPerS: field('mb_per_sec', run.stdout),
    peakRssMb: field('peak_rss_kb', run.stderr) / 1024,
  };
}

function consumeOnly(client: (typeof CLIENTS)[number], topic: string, group: string, records: number) {
  const child = path.resolve(__dirname, 'kafka-consume-only.js');
  const out = execFileSync(process.execPath, [child, client, KAFKA_BROKERS.join(','), topic, group, String(records)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { records: number; seconds: number; startup_seconds: number; peak_rss_mb: number };
}

async function deleteGroups(groups: string[]): Promise<void> {
  const admin = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'callsentry-bench-cleanup', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups);
  } finally {
    await admin.disconnect();
  }
}

function load(): number {
  return Number(os.loadavg()[0].toFixed(2));
}

main().catch((err) => {
  console.error(String(err?.stack ?? err));
  process.exit(1);
});
