#!/usr/bin/env node
import { createApp } from '../lib/app';

/**
 * The CDK app. Environment-agnostic (no account or region lookups), so `npm run synth` works offline; the
 * account and region come from the CLI profile at deploy time. cdk-nag is wired in lib/app.ts.
 */
createApp();
