import { createPrivateKey } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import { ChainWriter } from '../audit/chain-writer';
import { FileAuditStore } from '../audit/file-store';
import { sampleDrafts } from '../audit/test-records';
import { runCli } from './test-io';

/** a working directory with a key (from keygen), a configuration and a log of the sample trail */
async function setUp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));
  const keygen = await runCli(['audit', 'keygen', '--out', path.join(dir, 'keys')]);
  expect(keygen.code).toBe(0);
  const log = path.join(dir, 'audit.ndjson');
  const config = path.join(dir, 'callsentry.yaml');
  writeFileSync(config, `audit:\n  log_file: ${log}\n  trusted_keys_file: ${path.join(dir, 'pins')}\n  signing_key_file: ${path.join(dir, 'keys', 'audit-signing-key.pem')}\n  export:\n    dir: ${path.join(dir, 'exports')}\nenforcer:\n  allowlist: [203.0.113.0/24]\n`);
  const key = createPrivateKey(readFileSync(path.join(dir, 'keys', 'audit-signing-key.pem')));
  const writer = new ChainWriter({ store: new FileAuditStore(log), clock: new ManualClock(Date.parse('2026-03-01T10:00:00Z')), log: silentLogger, checkpoints: { key, everyEntries: 1000, everySeconds: 300 } });
  await writer.write(sampleDrafts());
  await writer.close();
  return { dir, log, config, keygen };
}

function keygenFingerprint(dir: string): string {
  const { fingerprint, loadPublicKey } = jest.requireActual('../audit/signing') as typeof import('../audit/signing');
  return fingerprint(loadPublicKey(readFileSync(path.join(dir, 'keys', 'audit-signing-key.pub.pem'))));
}

describe('callsentry audit', () => {
  it('keygen writes a private key only the owner reads, and never overwrites it', async () => {
    const { dir, keygen } = await setUp();
    expect(keygen.out.join('\n')).toMatch(/public key SHA-256: [0-9a-f]{64}/);
    expect(keygen.out.join('\n')).not.toMatch(/PRIVATE KEY/);
    const again = await runCli(['audit', 'keygen', '--out', path.join(dir, 'keys')]);
    expect(again.code).toBe(2);
    expect(again.err.join('\n')).toMatch(/exists already; keygen never overwrites a key/);
  });

  it('export then verify: OK with the trusted key; a tampered copy fails and names the first broken entry', async () => {
    const { dir, config, log } = await setUp();
    const exp = await runCli(['audit', 'export', '--config', config, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z', '--format', 'csv']);
    expect(exp.err).toEqual([]);
    expect(exp.code).toBe(0);
    const out = path.join(dir, 'exports', 'audit-20260301T000000Z--20260302T000000Z');
    // the sample trail: 10 entries and the checkpoint the writer appends with its first batch
    expect(exp.out[0]).toMatch(`${out}: 11 entries, sequence 0 to 10; signed by key SHA-256`);
    // the sample trail has a block applied to 203.0.113.50, inside the configured allowlist
    expect(readFileSync(path.join(out, 'summary.html'), 'utf8')).toMatch(/1 block\(s\) applied to allowlisted ranges/);

    const ok = await runCli(['audit', 'verify', out, '--config', config, '--public-key', path.join(dir, 'keys', 'audit-signing-key.pub.pem')]);
    expect(ok.code).toBe(0);
    expect(ok.out.join('\n')).toMatch(/OK\n  signature: ok: manifest.json is signed by a trusted key[^]*files: ok[^]*chain: ok: 11 entries verify/);
    expect((await runCli(['audit', 'verify', log, '--config', config])).code).toBe(0);

    const csv = path.join(out, 'entries.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('customer PBX behind NAT', 'customer PBX behind NAT, approved'));
    const bad = await runCli(['audit', 'verify', out, '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.out.join('\n')).toMatch(/FAILED[^]*files: FAILED: entries.csv: SHA-256 differs[^]*first broken entry: sequence 9 \(line \d+\): hash does not match/);

    const lines = readFileSync(log, 'utf8').split('\n');
    lines.splice(4, 1);
    writeFileSync(log, lines.join('\n'));
    const badLog = await runCli(['audit', 'verify', log, '--config', config]);
    expect(badLog.code).toBe(1);
    expect(badLog.out.join('\n')).toMatch(/first broken entry: sequence 4 \(line 5\): sequence 5 where 4 was expected/);
  });

  it('verify without a trusted key fails, prints the fingerprint, and pins a --public-key at first use', async () => {
    const { dir, config } = await setUp();
    expect((await runCli(['audit', 'export', '--config', config, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z'])).code).toBe(0);
    const out = path.join(dir, 'exports', 'audit-20260301T000000Z--20260302T000000Z');
    // an auditor's configuration: no signing key here, pins in their own file
    const auditor = path.join(dir, 'auditor.yaml');
    writeFileSync(auditor, `audit:\n  trusted_keys_file: ${path.join(dir, 'auditor-pins')}\n`);
    const untrusted = await runCli(['audit', 'verify', out, '--config', auditor]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out.join('\n')).toMatch(/trusted keys: none[^]*signature: FAILED: manifest.json is signed by the key shipped in the export, SHA-256 [0-9a-f]{64}, which is not trusted/);

    const pub = path.join(dir, 'keys', 'audit-signing-key.pub.pem');
    const first = await runCli(['audit', 'verify', out, '--config', auditor, '--public-key', pub]);
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toMatch(`pinned key SHA-256 ${keygenFingerprint(dir)} in ${path.join(dir, 'auditor-pins')}`);
    expect(readFileSync(path.join(dir, 'auditor-pins'), 'utf8')).toMatch(new RegExp(`^${keygenFingerprint(dir)} from `));
    // pinned: the next verify needs no --public-key and does not pin again
    const pinned = await runCli(['audit', 'verify', out, '--config', auditor]);
    expect(pinned.code).toBe(0);
    expect(pinned.out.join('\n')).toMatch(/signature: ok: manifest.json is signed by the pinned key SHA-256/);
    expect(pinned.out.join('\n')).not.toMatch(/pinned key SHA-256 \S+ in/);

    // re-signed with another key (manifest altered, new key shipped): fails against the pin
    const forged = path.join(dir, 'forged');
    cpSync(out, forged, { recursive: true });
    const other = await runCli(['audit', 'keygen', '--out', path.join(dir, 'other')]);
    const otherKey = createPrivateKey(readFileSync(path.join(dir, 'other', 'audit-signing-key.pem')));
    const { signBase64, publicKeyPem } = await import('../audit/signing');
    const m = readFileSync(path.join(forged, 'manifest.json'));
    writeFileSync(path.join(forged, 'public-key.pem'), publicKeyPem(otherKey));
    writeFileSync(path.join(forged, 'manifest.sig'), signBase64(m, otherKey) + '\n');
    const reSigned = await runCli(['audit', 'verify', forged, '--config', auditor]);
    expect(reSigned.code).toBe(1);
    expect(reSigned.out.join('\n')).toContain(`signed by the key shipped in the export, SHA-256 ${other.out[2].split(' ').pop()}, which is not trusted`);
  });

  it('verify of a directory of exports checks each and all together; with the log, the log must reach them', async () => {
    const { dir, config, log } = await setUp();
    for (const [from, to] of [
      // the sample trail is recorded at 10:00:00: the first export holds it, the second is empty
      ['2026-03-01T00:00:00Z', '2026-03-01T10:00:00.500Z'],
      ['2026-03-01T10:00:00.500Z', '2026-03-02T00:00:00Z'],
    ]) expect((await runCli(['audit', 'export', '--config', config, '--from', from, '--to', to])).code).toBe(0);
    const exports = path.join(dir, 'exports');
    const all = await runCli(['audit', 'verify', exports, log, '--config', config]);
    expect(all.err).toEqual([]);
    expect(all.code).toBe(0);
    const text = all.out.join('\n');
    expect(text).toMatch(/audit-20260301T000000Z--20260301T100000.500Z: OK[^]*continuity: ok: no earlier export/);
    expect(text).toMatch(/audit-20260301T100000.500Z--20260302T000000Z: OK[^]*continuity: ok: continues audit-20260301T000000Z--20260301T100000.500Z from its last entry 10/);
    expect(text).toMatch(/2 exports together: OK\n  exports: ok: 2 exports, entries 0 to 10: one chain without gaps or forks/);
    expect(text).toMatch(/audit.ndjson: OK[^]*checkpoints: ok: 1 checkpoint\(s\); entries 0 to 10 proven[^]*  proven: entries 0 to 10/);

    // the log cut: alone, the cut part is just gone; with the exports, verify shows the cut
    writeFileSync(log, readFileSync(log, 'utf8').split('\n').slice(0, 5).join('\n') + '\n');
    const alone = await runCli(['audit', 'verify', log, '--config', config]);
    expect(alone.out.join('\n')).toMatch(/not proven: entries 0 to 4: no signed checkpoint in the log/);
    const cut = await runCli(['audit', 'verify', log, exports, '--config', config]);
    expect(cut.code).toBe(1);
    expect(cut.out.join('\n')).toMatch(/the log ends at entry 4, but entry 10 was exported in .*audit-20260301T\d+(.500)?Z--\d+T\d+(.500)?Z: its tail was cut/);
  });

  it('says what is missing: a period, a key, a subcommand', async () => {
    const { config } = await setUp();
    expect((await runCli(['audit', 'export', '--config', config, '--to', '2026-03-02T00:00:00Z'])).err.join('\n')).toMatch(/--from as an ISO 8601 time/);
    expect((await runCli(['audit', 'export', '--config', config, '--from', '2026-03-01T00:00:00Z', '--to', '2999-01-01T00:00:00Z'])).err.join('\n')).toMatch(/--to is in the future/);
    const noKey = await runCli(['audit', 'export', '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z']);
    expect(noKey.code).toBe(1);
    expect(noKey.err.join('\n')).toMatch(/audit.signing_key_file is not set.*\[AUDIT_KEY\]/);
    expect((await runCli(['audit', 'frobnicate'])).code).toBe(2);
  });

  it('the service refuses to start with scheduled exports and no signing key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, `audit:\n  log_file: ${path.join(dir, 'a.ndjson')}\n`);
    const res = await runCli(['audit', '--config', config]);
    expect(res.code).toBe(1);
    expect(res.err.join('\n')).toMatch(/audit.signing_key_file is not set/);
  });
});
