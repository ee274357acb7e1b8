export const INSTANTIATE_HOOK: string;
export function splitUtil(code: string): { code: string; wasm: Uint8Array };
export function hookHl(code: string): string;
