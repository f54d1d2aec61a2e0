// Stand-in for macOS `osascript -l JavaScript -e SCRIPT ARG...` on Linux, for the Jamf
// extension attribute's tests. The script itself runs unchanged; only the two pieces of the
// Objective-C bridge it uses are provided: NSString's file reading and ObjC.unwrap. As under
// osascript -e, NSString exists only after ObjC.import('Foundation'). Like osascript, it calls
// run(argv) and prints what it returns.
"use strict";
const fs = require("node:fs");
const vm = require("node:vm");

const args = process.argv.slice(2);
if (args[0] !== "-l" || args[1] !== "JavaScript" || args[2] !== "-e") {
  process.stderr.write("osascript stand-in: expected -l JavaScript -e SCRIPT\n");
  process.exit(2);
}
const nil = { value: undefined };
const bridge = {};
const foundation = {
  NSUTF8StringEncoding: 4,
  NSString: {
    stringWithContentsOfFileEncodingError(path, encoding, error) {
      try {
        return { value: fs.readFileSync(String(path), "utf8") };
      } catch (failure) {
        return nil;
      }
    },
  },
};
const context = vm.createContext({
  $: bridge,
  ObjC: {
    unwrap: (wrapped) => wrapped.value,
    import: (framework) => {
      if (framework !== "Foundation") throw new Error(`no framework ${framework}`);
      Object.assign(bridge, foundation);
    },
  },
  JSON,
  Object,
  Array,
  String,
});
vm.runInContext(args[3], context);
process.stdout.write(String(context.run(args.slice(4))) + "\n");
