/**
 * The client side of the configuration tests: a registry and a governed invoker of
 * the Store service, both built from one configuration as an application would.
 */
import { clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, silentLogger, type ClusterInvoker, type RpcgenConfig } from "@rpcgen/runtime";
import { storeService } from "../../governance/helpers/test-service.js";

/** The Store service the configuration tests serve and call. */
export const store = storeService("Store");

/** A governed Store client as `config` describes it; its closing steps go to `cleanups`. */
export function configuredStoreClient(config: RpcgenConfig, cleanups: Array<() => Promise<void>>): ClusterInvoker {
  const registry = createRegistryFromConfig(config, { logger: silentLogger });
  cleanups.push(() => registry.close());
  const invoker = createClusterInvoker(clusterOptionsFromConfig(config, store, registry, { logger: silentLogger }));
  cleanups.push(() => invoker.close());
  return invoker;
}
