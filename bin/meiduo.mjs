#!/usr/bin/env node
// The `meiduo` command. TypeScript runs through tsx's loader, so there is no compile step to forget.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// A .env file in the working directory fills in variables the environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env');

register();
await import('../jobs/cli.ts');
