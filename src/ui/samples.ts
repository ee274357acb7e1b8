/** Built-in samples (copies of real Keras saves from tests/fixtures), served from public/samples/. */
export interface Sample {
  file: string;
  label: string;
  note: string;
}

export const SAMPLES: readonly Sample[] = [
  { file: 'no_lambda.keras', label: 'Clean model', note: '.keras, no code inside' },
  { file: 'seq_lambda_benign.keras', label: 'Benign Lambda', note: '.keras, a harmless lambda' },
  { file: 'mal_os_system.h5', label: 'Malicious-looking', note: '.h5, a lambda calling os.system' },
];

/** Relative URL, so the page works from any sub-path. */
export async function loadSample(sample: Sample): Promise<File> {
  const response = await fetch(`./samples/${sample.file}`);
  if (!response.ok) throw new Error(`Could not load the sample ${sample.file} (HTTP ${response.status}).`);
  const blob = await response.blob();
  return new File([blob], sample.file, { type: 'application/octet-stream' });
}
