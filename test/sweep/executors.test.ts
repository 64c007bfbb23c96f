import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSweep, type SweepPlan } from '../../src/config/load.js';
import { planWithFilesIn } from '../../src/sweep/executors/host-files.js';
import { k8sName } from '../../src/sweep/executors/k8s.js';
import { clusterLayout } from '../../src/sweep/executors/layout.js';
import { writeK8sRun, writeSlurmRun } from '../../src/sweep/executors/write.js';
import { readPlanFile } from '../../src/sweep/plan-file.js';
import { planOf, tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

/**
 * The words of an `#SBATCH` line as sbatch reads them (its _get_argument): quotes, single or double, group
 * characters; a backslash takes the next character as it is; an unquoted `#` ends the line.
 */
function sbatchWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') word = (word ?? '') + (line[++i] ?? '');
    else if (quote) {
      if (c === quote) quote = null;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '#') break;
    else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** `#SBATCH --key=value` lines as a map, each value as sbatch reads it. */
function sbatchDirectives(script: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of script.matchAll(/^#SBATCH (.*)$/gm)) {
    const [key, ...value] = sbatchWords(m[1])[0].replace(/^--/, '').split('=');
    out[key] = value.join('=');
  }
  return out;
}

describe('cluster executors', () => {
  const plan = planOf(tinySyntheticConfig());

  it('writes a Slurm array script and a merge script (parsed, not string-compared)', () => {
    const dir = tempDir();
    const layout = clusterLayout('tiny', plan.trials.length, join(dir, 'run'), join(dir, "it's.db"));
    const files = writeSlurmRun(plan, layout, {
      partition: 'gpu',
      time: '2:00:00',
      gpus: 1,
      maxParallel: 3,
      cpusPerTask: 1,
    });
    const array = readFileSync(files[1], 'utf8');
    const merge = readFileSync(files[2], 'utf8');
    expect(sbatchDirectives(array)).toEqual({
      'job-name': 'sb-tiny',
      array: '0-1%3',
      output: `${layout.logs}/trial-%A_%a.out`,
      'cpus-per-task': '1',
      partition: 'gpu',
      time: '2:00:00',
      gpus: '1',
    });
    expect(sbatchDirectives(merge)).toMatchObject({
      'job-name': 'sb-tiny-merge',
      partition: 'gpu',
      time: '2:00:00',
    });
    expect(sbatchDirectives(merge).gpus).toBeUndefined();
    for (const s of [array, merge]) expect(spawnSync('bash', ['-n', '-c', s]).status).toBe(0); // valid bash
    expect(array).toMatch(/run-trial .*plan\.json' --index "\$index"/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    expect(array).toContain('index=$((SLURM_ARRAY_TASK_ID + ${SPARSEBENCH_INDEX_OFFSET:-0}))');
    expect(array).toContain(`--skip-from '${dir}/it'\\''s.db'`); // quoted safely
    expect(merge).toMatch(/ merge "\$\{shards\[@\]\}" --into /);
    expect(merge).toMatch(/ fit-law --db .* --sweep 'tiny'/);
    expect(readPlanFile(files[0]).trials.map((t) => t.id)).toEqual(plan.trials.map((t) => t.id));
  });

  it('quotes paths with spaces, quotes, $, backticks and % for bash and for sbatch', () => {
    const dir = join(tempDir(), 'a b $HOME `id` \'q\' "dq" 50%');
    const layout = {
      ...clusterLayout('tiny', plan.trials.length, join(dir, 'run'), join(dir, 'study $x.db')),
      node: join(dir, 'node'), // a stand-in that prints its arguments, one per line; fit-law fails
    };
    const files = writeSlurmRun(plan, layout, { cpusPerTask: 1 });
    writeFileSync(layout.node, '#!/bin/bash\nprintf \'%s\\n\' "$@"\n[[ $2 != fit-law ]]\n', { mode: 0o755 });
    const [array, merge] = [readFileSync(files[1], 'utf8'), readFileSync(files[2], 'utf8')];
    // sbatch reads the log pattern as the path, with % doubled so that only %A, %a and %j are replaced
    const logs = layout.logs.replaceAll('%', '%%');
    expect(sbatchDirectives(array).output).toBe(`${logs}/trial-%A_%a.out`);
    expect(sbatchDirectives(merge).output).toBe(`${logs}/merge-%j.out`);
    expect(array).toContain('#SBATCH --output="');
    expect(array).toContain('\\"dq\\"'); // a double quote escaped inside sbatch's double quotes
    for (const s of [array, merge]) expect(spawnSync('bash', ['-n', '-c', s]).status).toBe(0);
    // bash passes every path through as it is, $ and backticks included
    const task = spawnSync('bash', [files[1]], {
      encoding: 'utf8',
      env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' },
    });
    expect(task.status, task.stderr).toBe(0);
    expect(task.stdout.split('\n')).toEqual([
      layout.cli,
      'run-trial',
      layout.plan,
      '--index',
      '1',
      '--db',
      join(layout.shards, 'shard-1.db'),
      '--skip-from',
      layout.db,
      '--take-over',
      '',
    ]);
    writeFileSync(join(layout.shards, 'shard-0.db'), '');
    const merged = spawnSync('bash', [files[2]], { encoding: 'utf8' });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toContain(`merge\n${join(layout.shards, 'shard-0.db')}\n--into\n${layout.db}\n`);
    expect(merged.stdout).toContain(
      `fit-law did not run (see above); the merged trials are in ${layout.db}\n`,
    );
  });

  it('refuses a Slurm log folder with a backslash (Slurm would not name the logs per task)', () => {
    const dir = join(tempDir(), 'a\\b');
    const layout = clusterLayout('tiny', plan.trials.length, dir, join(dir, 'x.db'));
    expect(() => writeSlurmRun(plan, layout, { cpusPerTask: 1 })).toThrow(
      /--out .*a\\b: the path has a backslash, and Slurm reads one in a log file name as "no %A\/%a substitution"/,
    );
  });

  it('writes a Kubernetes Indexed Job and a merge Job', () => {
    const dir = tempDir();
    const layout = clusterLayout('Tiny_Sweep', plan.trials.length, join(dir, 'k8s'), join(dir, 'x.db'));
    const { files } = writeK8sRun(plan, layout, { image: 'reg/sb:1', pvc: 'claim', maxParallel: 1, gpus: 2 });
    const job = parse(readFileSync(files[1], 'utf8'));
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'sb-tiny-sweep-c818cc' }, // renamed, so a hash of Tiny_Sweep is added
      spec: { completionMode: 'Indexed', completions: 2, parallelism: 1 },
    });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }]);
    const c = pod.containers[0];
    expect(c.image).toBe('reg/sb:1');
    expect(c.resources.limits).toEqual({ 'nvidia.com/gpu': '2' });
    expect(c.command[2]).toMatch(
      /sparsebench run-trial \/data\/tiny-sweep-c818cc\/plan\.json --db \/data\/tiny-sweep-c818cc\/shards\/shard-\$JOB_COMPLETION_INDEX\.db/,
    );
    const merge = parse(readFileSync(files[2], 'utf8'));
    expect(merge.metadata.name).toBe('sb-tiny-sweep-c818cc-merge');
    expect(merge.spec.template.spec.containers[0].command[2]).toMatch(
      /sparsebench merge .*--into \/data\/tiny-sweep-c818cc\/study\.db/,
    );
    expect(spawnSync('bash', ['-n', files[3]]).status).toBe(0);
  });

  it('merge scripts with no shard to merge (every task found its trial finished) say so and succeed', () => {
    const dir = tempDir();
    // a stand-in sparsebench (and node) that prints its arguments: the merge must not be called with a bare glob
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const echo = '#!/bin/sh\nprintf \'%s\\n\' "$*"\n';
    writeFileSync(join(bin, 'sparsebench'), echo, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const k8s = clusterLayout('tiny', plan.trials.length, join(dir, 'k8s'), join(dir, 'x.db'));
    const job = parse(readFileSync(writeK8sRun(plan, k8s, { image: 'i', pvc: 'c' }).files[2], 'utf8'));
    const pod = spawnSync('/bin/sh', ['-c', job.spec.template.spec.containers[0].command[2]], {
      env,
      encoding: 'utf8',
    });
    expect(pod.status, pod.stderr).toBe(0);
    expect(pod.stderr).toContain(
      'no shards to merge: every task found its trial finished in the study database',
    );
    expect(pod.stdout).not.toMatch(/^merge/m);
    expect(pod.stdout).toMatch(/^fit-law --db/m);
    const slurm = {
      ...clusterLayout('tiny', plan.trials.length, join(dir, 'slurm'), join(dir, 'y.db')),
      node: join(bin, 'sparsebench'),
    };
    const files = writeSlurmRun(plan, slurm, { cpusPerTask: 1 });
    const merged = spawnSync('bash', [files[2]], { env, encoding: 'utf8' });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stderr).toContain(
      'no shards to merge: every task found its trial finished in the study database',
    );
    expect(merged.stdout).not.toMatch(/ merge /);
  });

  it('k8s: retries are counted per trial, a failed trial (exit 1) is not retried, evictions do not count', () => {
    const dir = tempDir();
    const layout = clusterLayout('tiny', 40, join(dir, 'k8s'), join(dir, 'x.db'));
    const text = readFileSync(writeK8sRun(plan, layout, { image: 'i', pvc: 'c' }).files[1], 'utf8');
    expect(text).toMatch(/^# .*\n# Needs Kubernetes 1\.29 or newer/);
    const { spec } = parse(text);
    expect(spec.backoffLimit).toBeUndefined(); // with backoffLimitPerIndex, Kubernetes sets no Job-wide limit
    expect(spec.backoffLimitPerIndex).toBe(1);
    expect(spec.template.spec.restartPolicy).toBe('Never'); // required by both fields
    expect(spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'FailIndex', onExitCodes: { containerName: 'sparsebench', operator: 'In', values: [1, 2] } },
    ]);
    expect(spec.template.spec.containers[0].name).toBe('sparsebench');
  });

  it('k8s names: valid names stay, others get a hash of the sweep name so that none collide', () => {
    expect(k8sName('quickstart')).toBe('quickstart');
    expect(k8sName('a-b')).toBe('a-b');
    const renamed = ['a_b', 'a.b', 'A-b', 'A_B', `${'x'.repeat(60)}1`, `${'x'.repeat(60)}2`, '1.0'];
    const names = renamed.map(k8sName);
    expect(new Set([...names, 'a-b']).size).toBe(renamed.length + 1);
    for (const n of names) {
      expect(n).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/); // a DNS label
      expect(`sb-${n}-merge`.length).toBeLessThanOrEqual(63);
    }
    expect(k8sName('a_b')).toBe('a-b-648fa9');
    // two sweeps whose names differ only in punctuation get their own Job and folder on the claim
    const dir = tempDir();
    const jobs = ['a_b', 'a.b'].map((name) => {
      const layout = clusterLayout(name, plan.trials.length, join(dir, name), join(dir, 'x.db'));
      return parse(readFileSync(writeK8sRun(plan, layout, { image: 'i', pvc: 'c' }).files[1], 'utf8'));
    });
    expect(jobs[0].metadata.name).not.toBe(jobs[1].metadata.name);
    expect(jobs[0].spec.template.spec.containers[0].command[2]).toContain('/data/a-b-648fa9/plan.json');
    expect(jobs[1].spec.template.spec.containers[0].command[2]).toContain('/data/a-b-2e7336/plan.json');
  });

  it('k8s: a file the trials read from this machine is read from the claim, where run.sh says to copy it; ids stay', () => {
    const dir = tempDir();
    const words = 'the quick brown fox jumps over the lazy dog and runs far away again ';
    writeFileSync(join(dir, 'corpus.txt'), `${words}\n`.repeat(400));
    const config = writeConfig(
      tinySyntheticConfig().replace(
        /data: \{[^}]*\}/,
        'data: {source: text, path: corpus.txt, chunk_bytes: 512}',
      ),
      'text.yaml',
      dir,
    );
    const textPlan = loadSweep(config);
    const layout = clusterLayout('text', textPlan.trials.length, join(dir, 'k8s'), join(dir, 'x.db'));
    const { files, copies } = writeK8sRun(textPlan, layout, { image: 'i', pvc: 'c' });
    expect(copies).toEqual([{ from: join(dir, 'corpus.txt'), to: '/data/text/files/0-corpus.txt' }]);
    // plan.json: the claim's path in every trial, the same ids (the path is no part of them)
    const onClaim = readPlanFile(files[0]);
    expect(onClaim.trials.map((t) => t.id)).toEqual(textPlan.trials.map((t) => t.id));
    for (const t of onClaim.trials)
      expect((t.spec.data as { path: string }).path).toBe('/data/text/files/0-corpus.txt');
    const run = readFileSync(files[3], 'utf8');
    expect(run).toContain(`#    kubectl cp ${join(dir, 'corpus.txt')} sb-copy:/data/text/files/0-corpus.txt`);
    // the merged study comes back beside --db and is merged into it, not copied over it
    expect(run).toContain(`#    kubectl cp sb-copy:/data/text/study.db ${join(dir, 'x.db')}.k8s.db`);
    expect(run).toContain(
      `#    sparsebench merge ${join(dir, 'x.db')}.k8s.db --into ${join(dir, 'x.db')} && sparsebench report`,
    );
    expect(run).toContain('#    kubectl delete pod sb-copy');
    // the synthetic plan reads no file: nothing to copy, plan.json as planned
    const plain = writeK8sRun(plan, clusterLayout('tiny', 2, join(dir, 'k2'), join(dir, 'y.db')), {
      image: 'i',
      pvc: 'c',
    });
    expect(plain.copies).toEqual([]);
    expect(readFileSync(plain.files[3], 'utf8')).not.toContain('files of this machine');
  });

  it('moves every file a trial names (IDX files, weights), once each, under names of their own', () => {
    const spec = (paths: Record<string, string>, weights: string) => ({
      data: { source: 'idx', paths },
      pruner: { name: 'from-dense', options: { weights, sha256: 'x' } },
    });
    const idx = { train_images: '/a/train-images', train_labels: '/a/train-labels' };
    const fake = {
      trials: [
        { id: '1', spec: spec(idx, '/w/dense.safetensors') },
        { id: '2', spec: spec({ ...idx, validation_images: '/b/train-images' }, '/w/dense.safetensors') },
      ],
    } as unknown as SweepPlan;
    const { plan: moved, copies } = planWithFilesIn(fake, '/data/s/files');
    expect(copies.map((c) => c.to)).toEqual([
      '/data/s/files/0-train-images',
      '/data/s/files/1-train-labels',
      '/data/s/files/2-dense.safetensors',
      '/data/s/files/3-train-images',
    ]);
    expect(moved.trials[1].spec).toMatchObject({
      data: {
        paths: {
          train_images: '/data/s/files/0-train-images',
          validation_images: '/data/s/files/3-train-images',
        },
      },
      pruner: { options: { weights: '/data/s/files/2-dense.safetensors', sha256: 'x' } },
    });
    // a name a shell or kubectl would read otherwise is made plain; the source is quoted in run.sh
    const odd = {
      trials: [{ id: '3', spec: spec({ train_images: "/a/my data:'x'", train_labels: '/a/l' }, '/w/d') }],
    };
    const { copies: oddCopies } = planWithFilesIn(odd as unknown as SweepPlan, '/data/s/files');
    expect(oddCopies[0]).toEqual({ from: "/a/my data:'x'", to: '/data/s/files/0-my_data__x_' });
    // the plan given is left as it was
    expect(fake.trials[0].spec).toMatchObject({ data: { paths: { train_images: '/a/train-images' } } });
  });

  it("k8s run.sh goes on to the merge when the trials' Job fails, and fails when the merge does", () => {
    const dir = tempDir();
    const layout = clusterLayout('tiny', plan.trials.length, join(dir, 'k8s'), join(dir, 'x.db'));
    const run = writeK8sRun(plan, layout, { image: 'i', pvc: 'c', maxParallel: 1, gpus: 0 }).files[3];
    // a stand-in kubectl: the trials' Job runs for two polls and then fails; the merge Job ends as $MERGE says
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      `#!/bin/bash
echo "$*" >> "${dir}/calls"
if [[ $1 == get ]]; then
  n=$(grep -c "^get $2" "${dir}/calls")
  if [[ $2 == *-merge ]]; then echo "$MERGE"; elif (( n > 2 )); then echo Failed; fi
fi
`,
      { mode: 0o755 },
    );
    const sh = (merge: string) =>
      spawnSync('bash', [run], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, MERGE: merge },
        timeout: 60_000,
      });
    // no sleeping through the polls
    writeFileSync(join(bin, 'sleep'), '#!/bin/bash\n', { mode: 0o755 });
    const ok = sh('Complete');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('job/sb-tiny: Failed');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toMatch(
      /apply -f merge-job\.yaml\n.*get job\/sb-tiny-merge/s,
    );
    // an earlier run's Jobs are deleted before the trials' Job is applied again (a rerun that resumes trials)
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toMatch(
      /^delete job sb-tiny sb-tiny-merge --ignore-not-found --cascade=foreground --wait=true\napply -f job\.yaml\n/,
    );
    expect(sh('Failed').status).not.toBe(0);
  });
});
