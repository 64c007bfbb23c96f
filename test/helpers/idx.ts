/** IDX files (MNIST's format) of two 2x2 images: pixels [0, 255, 51, 102] and [255, 255, 0, 0]. */
export function idxImages(): Buffer {
  const img = Buffer.alloc(16 + 2 * 4);
  img.writeUInt32BE(0x803, 0); // magic: uint8 images
  img.writeUInt32BE(2, 4); // count
  img.writeUInt32BE(2, 8); // rows
  img.writeUInt32BE(2, 12); // columns
  img.set([0, 255, 51, 102, 255, 255, 0, 0], 16);
  return img;
}

/** IDX labels of two images. */
export function idxLabels(labels: [number, number]): Buffer {
  const lab = Buffer.alloc(8 + 2);
  lab.writeUInt32BE(0x801, 0); // magic: uint8 labels
  lab.writeUInt32BE(2, 4);
  lab.set(labels, 8);
  return lab;
}
