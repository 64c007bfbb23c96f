import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { shArg } from '../../util/shell.js';
import type { HostCopy } from './host-files.js';
import { type ClusterLayout, NO_SHARDS } from './layout.js';

/** Options of `sweep --executor k8s`. */
export interface K8sOptions {
  /** Container image with sparsebench installed (`sparsebench` on its PATH). */
  image: string;
  /** PersistentVolumeClaim mounted at /data in every pod; it holds the plan, shards and database. */
  pvc: string;
  maxParallel?: number;
  gpus?: number;
  /** CPUs each trial's pod requests (default 1, the single-threaded wasm backend's need). */
  cpus?: number;
  /** Flags every pod's run-trial gets (checkpoint cadence, --retry-failed), as plain words. */
  taskFlags?: readonly string[];
  /** Files and folders of this machine the trials read, and where on the claim the plan reads them. */
  copies?: readonly HostCopy[];
  /** Trials of the plan already finished in the study database (--db), which the pods never read nor write. */
  finishedLocally?: number;
}

/** Characters of a sweep name kept in its Kubernetes name before a hash is added. */
const K8S_NAME_KEEP = 43;

/**
 * The Kubernetes name of a sweep: lowercase letters, digits and '-', at most 50 characters (so `sb-<name>-merge`
 * stays within the 63 of a label value). A sweep name that had to change (case, '_' or '.', length) gets the
 * first 6 hex digits of its SHA-256 appended, so that sweeps named `a_b`, `a.b` and `A-b` do not share a Job
 * and a folder on the claim; a name that is already valid stays as it is.
 */
export function k8sName(s: string): string {
  const clean = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (clean === s && s.length <= 50) return s;
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 6);
  const kept = clean.slice(0, K8S_NAME_KEEP).replace(/-+$/, '');
  return kept ? `${kept}-${hash}` : `sweep-${hash}`;
}

/**
 * Paths inside the pods: the claim is mounted at /data; the study lives in /data/<sweep>/, the files its trials
 * read from the machine that planned them (a user's data, from-dense weights) in its `files/`.
 */
export function k8sPodPaths(l: Pick<ClusterLayout, 'sweep'>) {
  const root = `/data/${k8sName(l.sweep)}`;
  return {
    root,
    plan: `${root}/plan.json`,
    shards: `${root}/shards`,
    db: `${root}/study.db`,
    files: `${root}/files`,
  };
}

function podSpec(o: K8sOptions, script: string, gpus: number | undefined, cpus = 1) {
  return {
    restartPolicy: 'Never',
    containers: [
      {
        name: 'sparsebench',
        image: o.image,
        command: ['/bin/sh', '-c', script],
        // the CPUs asked for are the trial's: its products run on as many threads
        env: [{ name: 'SPARSEBENCH_THREADS', value: String(cpus) }],
        resources: {
          requests: { cpu: String(cpus), memory: '2Gi' },
          ...(gpus ? { limits: { 'nvidia.com/gpu': String(gpus) } } : {}),
        },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: o.pvc } }],
  };
}

/** The oldest Kubernetes whose Jobs take backoffLimitPerIndex and the FailIndex action (beta, on by default). */
export const K8S_MIN_VERSION = '1.29';

/**
 * How the Indexed Job treats a failed pod, per index (one trial): a pod that exits 1 (the trial failed) or 2
 * (bad input) fails its index at once, since training it again fails again; a pod evicted or preempted
 * (DisruptionTarget) is replaced without counting, and its trial resumes from its checkpoint; any other
 * failure (75 storage, a kill) is retried once; the retry takes over the trial the killed pod left running in the
 * shard (run-trial --take-over: Kubernetes starts it only once that pod has ended). The Job runs every index to its end and is marked
 * failed only then, so the merge that follows finds every shard.
 */
function failurePolicy() {
  return {
    backoffLimitPerIndex: 1,
    podFailurePolicy: {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        {
          action: 'FailIndex',
          onExitCodes: { containerName: 'sparsebench', operator: 'In', values: [1, 2] },
        },
      ],
    },
  };
}

/**
 * An Indexed Job (completions = trials, parallelism = max-parallel): pod i trains trial i into its own
 * shard; the index comes from JOB_COMPLETION_INDEX, which Kubernetes sets in every pod of an Indexed Job.
 * Retries are counted per index ({@link failurePolicy}; backoffLimit is left out, so Kubernetes puts no
 * limit on the Job as a whole), which needs Kubernetes {@link K8S_MIN_VERSION} or newer.
 */
export function k8sIndexedJob(l: ClusterLayout, o: K8sOptions): string {
  const p = k8sPodPaths(l);
  const script = `mkdir -p ${p.shards} && exec sparsebench run-trial ${p.plan} --db ${p.shards}/shard-$JOB_COMPLETION_INDEX.db --skip-from ${p.db} --take-over${(o.taskFlags ?? []).map((f) => ` ${f}`).join('')}`;
  const header = [
    `# The trials of sweep ${l.sweep} as an Indexed Job (generated by sparsebench).`,
    `# Needs Kubernetes ${K8S_MIN_VERSION} or newer: retries are limited per trial (backoffLimitPerIndex), and a`,
    '# trial that failed (exit 1) is not retried (podFailurePolicy FailIndex).',
  ];
  const job = stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `sb-${k8sName(l.sweep)}`, labels: { app: 'sparsebench', sweep: k8sName(l.sweep) } },
    spec: {
      completionMode: 'Indexed',
      completions: l.trials,
      parallelism: Math.min(o.maxParallel ?? l.trials, l.trials),
      ...failurePolicy(),
      template: { metadata: { labels: { app: 'sparsebench' } }, spec: podSpec(o, script, o.gpus, o.cpus) },
    },
  });
  return `${header.join('\n')}\n${job}`;
}

/** The merge + fit-law Job, to apply once the Indexed Job has completed (see run.sh). */
export function k8sMergeJob(l: ClusterLayout, o: K8sOptions): string {
  const p = k8sPodPaths(l);
  // no shard at all when every pod found its trial finished in the study database: nothing to merge, not a failure
  const script =
    `set -- ${p.shards}/shard-*.db; if [ -e "$1" ]; then sparsebench merge "$@" --into ${p.db}; ` +
    `else echo "no shards to merge: ${NO_SHARDS}" >&2; fi && (sparsebench fit-law --db ${p.db} --sweep ${l.sweep} || true)`;
  return stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `sb-${k8sName(l.sweep)}-merge`,
      labels: { app: 'sparsebench', sweep: k8sName(l.sweep) },
    },
    spec: { backoffLimit: 2, template: { spec: podSpec(o, script, undefined) } },
  });
}

/** The steps to run it, for the user: copy the plan (and files) onto the claim, apply, wait, merge, copy back. */
export function k8sRunScript(l: ClusterLayout, o: K8sOptions): string {
  const p = k8sPodPaths(l);
  const job = `sb-${k8sName(l.sweep)}`;
  const copies = o.copies ?? [];
  const db = l.db;
  return [
    '#!/bin/bash',
    '# Run the sweep on Kubernetes (generated by sparsebench). Needs kubectl and the claim below.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `# 1. by hand, before running this: put the frozen plan on the claim "${o.pvc}" at ${p.plan}, through a helper pod:`,
    `#    kubectl run sb-copy --image=busybox --restart=Never --overrides='{"spec":{"volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"${o.pvc}"}}],"containers":[{"name":"c","image":"busybox","command":["sleep","3600"],"volumeMounts":[{"name":"d","mountPath":"/data"}]}]}}' && kubectl wait --for=condition=Ready pod/sb-copy`,
    `#    kubectl exec sb-copy -- mkdir -p ${p.root} && kubectl cp plan.json sb-copy:${p.plan}`,
    ...(copies.length > 0
      ? [
          `#    and the ${copies.length === 1 ? 'file' : `${copies.length} files`} of this machine the trials read, where plan.json reads ${copies.length === 1 ? 'it' : 'them'} (a trial whose file is missing fails):`,
          `#    kubectl exec sb-copy -- mkdir -p ${p.files}`,
          ...copies.map((c) => `#    kubectl cp ${shArg(c.from)} ${shArg(`sb-copy:${c.to}`)}`),
        ]
      : []),
    ...(o.finishedLocally
      ? [
          `#    and the ${o.finishedLocally} finished trials of this plan in ${shArg(db)}, which the pods skip only once they are in ${p.db}`,
          `#    (a copy made by merge, which holds everything the database has written, with its weights):`,
          `#    sparsebench merge ${shArg(db)} --into upload.db && kubectl cp upload.db sb-copy:${p.db} && kubectl cp upload.db.weights sb-copy:${p.db}.weights`,
        ]
      : []),
    '#    kubectl delete pod sb-copy   (it mounts the claim: a ReadWriteOnce claim would keep the trial pods from it)',
    '# waits until a Job has ended, complete or failed, and prints which',
    'job_end() {',
    '  local s',
    `  until s=$(kubectl get "job/$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}') &&`,
    '    [[ $s == *Complete* || $s == *Failed* ]]; do sleep 10; done',
    '  echo "$s"',
    '}',
    "# 2. the trials, a pod each. An earlier run's Jobs of these names go first: applied again, a completed Job would",
    "#    read as this run's at once (nothing trained), and one of another plan cannot change (its spec is immutable).",
    '#    A pod of theirs still training is stopped (it checkpoints on SIGTERM) and this run resumes its trial.',
    // foreground: the Jobs go only once their pods have (a pod still stopping would hold its trial's shard)
    `kubectl delete job ${job} ${job}-merge --ignore-not-found --cascade=foreground --wait=true`,
    'kubectl apply -f job.yaml',
    '# a trial that failed leaves the Job failed; the merge still collects every shard, failed trials included',
    `echo "job/${job}: $(job_end ${job})"`,
    '# 3. merge the shards into the study database, and fit the law',
    'kubectl apply -f merge-job.yaml',
    `merged=$(job_end ${job}-merge)`,
    `kubectl logs job/${job}-merge`,
    '[[ $merged == *Complete* ]]',
    `# 4. then, by hand: the merged study is ${p.db} on the claim (its weights in ${p.db}.weights). Copy it beside`,
    `#    ${shArg(db)} and merge it in (copied over it, it would drop what else that database holds): start the helper`,
    '#    pod of step 1 again, then',
    `#    kubectl cp sb-copy:${p.db} ${shArg(`${db}.k8s.db`)} && kubectl cp sb-copy:${p.db}.weights ${shArg(`${db}.k8s.db.weights`)}`,
    `#    and, where a trial was left interrupted, its checkpoint, for a local sweep to resume it (merge carries it on):`,
    `#    kubectl cp sb-copy:${p.db}.checkpoints ${shArg(`${db}.k8s.db.checkpoints`)}; kubectl delete pod sb-copy`,
    `#    sparsebench merge ${shArg(`${db}.k8s.db`)} --into ${shArg(db)} && sparsebench report --db ${shArg(db)} --sweep ${shArg(l.sweep)}`,
    '',
  ].join('\n');
}
