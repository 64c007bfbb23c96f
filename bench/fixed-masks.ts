import type { ParamSet } from '../src/train/params.js';

/**
 * Gives every prunable parameter of `params` a fixed mask keeping 1 − sparsity of its entries (a golden-ratio
 * stride pattern: which entries does not matter to a timing), zeroes the masked weights and copies them over.
 */
export function setFixedMasks(params: ParamSet, sparsity: number): void {
  if (sparsity === 0) return;
  for (const p of params.infos) {
    if (!p.prunable) continue;
    const n = params.host.get(p.name)!.length;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = (i * 0.6180339887) % 1 >= sparsity ? 1 : 0;
    params.setMask(p.name, mask);
  }
  params.applyMasks();
  params.sync();
}
