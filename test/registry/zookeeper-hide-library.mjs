// Registers a module resolve hook that makes node-zookeeper-client unresolvable,
// so a test can see what ZooKeeperRegistry does where the package is not installed.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (specifier === "node-zookeeper-client") {
          const error = new Error("Cannot find package 'node-zookeeper-client'");
          error.code = "ERR_MODULE_NOT_FOUND";
          throw error;
        }
        return next(specifier, context);
      }
    `),
);
