#!/usr/bin/env node
// The `baton` executable: the compiled CLI (`npm install` builds it into dist/).
import '../dist/run-cli.js';
