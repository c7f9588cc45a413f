/** `npm run bench`: runs every benchmark and prints one table with the command that made it. */
import { codecBench } from './codec.bench.js';
import { discoveryBench } from './discovery.bench.js';
import { h264Bench } from './h264.bench.js';
import { linkBench } from './link.bench.js';
import { mediaBench } from './media.bench.js';
import { meshBench } from './mesh.bench.js';
import { partyBench } from './party.bench.js';
import { pipelineBench } from './pipeline.bench.js';
import { sealBench } from './seal.bench.js';
import { signatureBench } from './signature.bench.js';
import { voiceBench } from './voice.bench.js';
import type { BenchRow } from './table.js';
import { formatTable } from './table.js';

const suites: Record<string, () => Promise<BenchRow[]>> = {
  discovery: discoveryBench,
  media: mediaBench,
  h264: h264Bench,
  sender: sealBench,
  signatures: signatureBench,
  link: linkBench,
  pipeline: pipelineBench,
  mesh: meshBench,
  voice: voiceBench,
  codec: codecBench,
  party: partyBench,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: BenchRow[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    rows.push(...(await run()));
  }
  const command = `npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}`;
  process.stdout.write(`${formatTable(rows, command)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
