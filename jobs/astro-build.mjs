// Astro's build for `meiduo build` (jobs/build.ts), in a child process of its own: the bundler keeps
// hundreds of MB the build process would otherwise carry (V8 and malloc rarely hand them back)
// while its page threads render and the search index is built. Plain JS: it imports only Astro.
// Arguments: <root> <outDir> <logLevel>. The parent sets MEIDUO_CATALOG_PAGES_OUTSIDE=1
// (site/lib/catalog-pages-outside.ts) and holds an IPC channel open: if the parent dies, so does this.
import { build } from 'astro';

const [root, outDir, logLevel] = process.argv.slice(2);
process.on('disconnect', () => process.exit(1)); // the build that started it is gone
await build({ root, outDir, logLevel });
process.exit(0); // Astro may leave handles open; the parent waits for the exit
