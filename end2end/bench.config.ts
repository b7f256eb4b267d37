// The call-setup benchmark (`scripts/bench.sh --call-setup`): the suite's server and browser
// settings, with the benchmark's own folder of specs, so the test run never includes it.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './bench' });
