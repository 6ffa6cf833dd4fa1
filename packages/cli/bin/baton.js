#!/usr/bin/env -S node --max-semi-space-size=64
// The `baton` executable: the compiled CLI (`npm install` builds it into dist/). The first line passes node the flags
// the server runs best with (`SERVER_NODE_FLAGS` of @baton/server: a larger young generation).
import '../dist/run-cli.js';
