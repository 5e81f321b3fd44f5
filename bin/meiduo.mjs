#!/usr/bin/env node
// The `meiduo` command. TypeScript runs through tsx's loader, so there is no compile step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../jobs/cli.ts');
