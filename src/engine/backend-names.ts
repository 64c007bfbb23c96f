/** Backend names a config or `--backend` may give (kept apart from the loaders, which import tfjs). */
export const BACKEND_NAMES = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
