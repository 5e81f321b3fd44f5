// Worker-thread entry (jobs/build.ts starts several through threadEntry('compress')): gives the
// files it is handed their .gz/.br siblings, then reports how many needed them and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { compressInPlaceSync } from '../api/published-files.ts';

let compressed = 0;
for (const file of workerData.files as string[]) if (compressInPlaceSync(file)) compressed++;
parentPort!.postMessage(compressed);
