// Parse a file the way VS Code (and so Kiro) reads settings.json and mcp.json: Microsoft's
// jsonc-parser with comments and trailing commas allowed. Prints the value as JSON on stdout;
// on a parse error prints "offset N: ERROR" lines on stderr and exits 1.
"use strict";
const fs = require("fs");
const jsonc = require("jsonc-parser");

const text = fs.readFileSync(process.argv[2], "utf8");
const errors = [];
const value = jsonc.parse(text, errors, { allowTrailingComma: true, allowEmptyContent: true });
if (errors.length > 0) {
  for (const error of errors) {
    process.stderr.write(`offset ${error.offset}: ${jsonc.printParseErrorCode(error.error)}\n`);
  }
  process.exit(1);
}
process.stdout.write(JSON.stringify(value === undefined ? null : value));
