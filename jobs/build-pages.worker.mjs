// Worker-thread entry when running from source (compiled, bin/compile.mjs builds a file of this name
// from build-pages.thread.ts): loader hooks are per thread, so it registers tsx itself first.
import { register } from 'tsx/esm/api';

register();
await import('./build-pages.thread.ts');
