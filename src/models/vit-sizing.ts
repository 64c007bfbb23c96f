import { z } from 'zod';
import { PathError } from '../errors.js';
import { human } from '../util/human-schema.js';
import { blockHparams, LM_LAYER, sizeBlocks } from './sizing.js';
import type { VitShape } from './vit.js';

/** Fixed hyperparameters of the `vit` family (the `model:` block). */
export const vitHparamsSchema = z.strictObject({
  family: z.literal('vit'),
  ...blockHparams,
  /** Patch side in pixels; must divide the image size. Default: a quarter of the side (7 for MNIST, 8 for CIFAR). */
  patch_size: human().pipe(z.number().int().min(1)).optional(),
  /** Class token (ViT) or mean of the patch tokens. */
  pooling: z.enum(['cls', 'mean']).default('cls'),
});
export type VitHparams = z.infer<typeof vitHparamsSchema>;

/**
 * The `vit` sizing rule: the shared rule with lm-style blocks (P = L · (4d² + 2·d·d_ff)); patch embedding,
 * positions, class token and head are dense and not counted, as in the paper's ViT runs.
 */
export function sizeVit(
  nonzero: number,
  sparsity: number,
  h: VitHparams,
  image: { height: number; width: number; channels: number; classes: number },
): VitShape {
  const patch = h.patch_size ?? Math.max(1, Math.floor(Math.min(image.height, image.width) / 4));
  if (image.height % patch !== 0 || image.width % patch !== 0) {
    const divisors = commonDivisors(image.height, image.width).join(', ');
    throw new PathError(
      ['model', 'patch_size'],
      h.patch_size === undefined
        ? `the default patch_size, a quarter of the images' side (${patch}), does not divide the ${image.height}x${image.width} images; set model.patch_size to a divisor of both: ${divisors}`
        : `patch_size ${patch} does not divide the ${image.height}x${image.width} images; choose a divisor of both: ${divisors}`,
    );
  }
  const blocks = sizeBlocks('vit', nonzero, sparsity, h, LM_LAYER);
  return {
    family: 'vit',
    image_height: image.height,
    image_width: image.width,
    channels: image.channels,
    patch_size: patch,
    classes: image.classes,
    ...blocks,
    pooling: h.pooling,
  };
}

/** The sides a square patch can have on images of `height` x `width`: the divisors of both, ascending. */
function commonDivisors(height: number, width: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= Math.min(height, width); d++) if (height % d === 0 && width % d === 0) out.push(d);
  return out;
}
