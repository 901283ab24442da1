#!/usr/bin/env node
'use strict';
// The `kubelab` command. Built output lives in ../dist; `npm install` builds it (the root `prepare` script).
require('../dist/main.js').main(process.argv.slice(2));
