import { describe } from "vitest";
import { etcdBackend, useBackendServer } from "../registry/support/backends.js";
import { itConnectsThroughConfiguredRegistry } from "./support/configured-registry.js";

/*
 * End to end with a real etcd: a configured server registers its providers in
 * etcd, a configured client discovers them, and follows a deregistration.
 */

const etcd = useBackendServer(etcdBackend);

describe("configured etcd registry", () => {
  itConnectsThroughConfiguredRegistry(etcdBackend, etcd, { registryLines: ["ttlSeconds: 5"] });
});
