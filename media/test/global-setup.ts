/** Builds the media pages once per run: the browser tests load the same bundles the server serves. */
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export default async function setup() {
  await build({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
