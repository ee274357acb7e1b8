// Types of the bench input generators the tests use (make-inputs.mjs).
export function makeH5(file: string, size: number): Promise<void>;
export function makeKeras(file: string, size: number): Promise<void>;
export function parseSize(text: string): number;
export function sizeLabel(n: number): string;
