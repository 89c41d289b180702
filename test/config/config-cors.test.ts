/**
 * `server.cors` in the YAML configuration: checked with the file's key paths
 * and lines, turned into the Server's `cors` option, and in effect on a real
 * server (a preflight answered, judged by curl); absent, no CORS at all.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, Server, serverSettingsFromConfig, silentLogger } from "@rpcgen/runtime";
import { CalculatorHandlerImpl } from "../../examples/calculator/calculator-handler.js";
import { registerCalculator } from "../../examples/calculator/gen/calculator.js";
import { accessControlHeaders, curl } from "../protocols/http/curl.js";

const serverSection = (cors: string) => `
application: { name: calculator }
server:
  address: 127.0.0.1:0
  services: [{ name: Calculator, version: 1.0.0 }]
${cors}`;

const withCors = serverSection(`  cors:
    allowedOrigins: [https://app.example.com, "http://localhost:5173"]
    allowedHeaders: [x-tenant]
    exposedHeaders: [x-request-id]
    allowCredentials: true
    maxAgeSeconds: 600
`);

function errorOf(yaml: string): ConfigError {
  try {
    parseConfig(yaml, "config.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

let server: Server | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 1000 });
  server = undefined;
});

describe("server.cors", () => {
  it("becomes the Server's cors option", () => {
    expect(serverSettingsFromConfig(parseConfig(withCors))!.serverOptions.cors).toEqual({
      allowedOrigins: ["https://app.example.com", "http://localhost:5173"],
      allowedHeaders: ["x-tenant"],
      exposedHeaders: ["x-request-id"],
      allowCredentials: true,
      maxAgeSeconds: 600,
    });
    expect(serverSettingsFromConfig(parseConfig(serverSection(`  cors: { allowedOrigins: "*" }\n`)))!.serverOptions.cors).toEqual({ allowedOrigins: "*" });
  });

  it("is in effect on a server made from the file: a preflight from a listed origin is answered; without the key, none is", async () => {
    for (const [yaml, expected] of [
      [withCors, { status: 204, allowOrigin: "http://localhost:5173" }],
      [serverSection(""), { status: 405, allowOrigin: undefined }],
    ] as const) {
      const settings = serverSettingsFromConfig(parseConfig(yaml))!;
      server = new Server({ logger: silentLogger, ...settings.serverOptions });
      registerCalculator(server, new CalculatorHandlerImpl());
      const { port } = await server.listen(settings.listen);
      const reply = await curl(`http://127.0.0.1:${port}/calculator.Calculator/add`, {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-tenant" },
      });
      expect(reply.status).toBe(expected.status);
      expect(reply.headers["access-control-allow-origin"]).toBe(expected.allowOrigin);
      if (expected.allowOrigin === undefined) expect(accessControlHeaders(reply)).toEqual({});
      else expect(reply.headers["access-control-allow-headers"]).toContain("x-tenant");
      await server.close({ graceMs: 1000 });
      server = undefined;
    }
  });

  it("names the key path, what was expected and the line of each mistake", () => {
    const yaml = serverSection(`  cors:
    allowedOrigins: ["https://app.example.com/app", "*.example.com"]
    allowedHeaders: ["x tenant"]
    maxAgeSeconds: -5
    allowOrigin: x
`);
    const issues = errorOf(yaml).issues.map((issue) => `${issue.path}: ${issue.message} @${issue.line}`);
    expect([...issues].sort()).toEqual(
      [
        'server.cors.allowedOrigins[0]: expected an origin such as https://app.example.com (scheme, host, port; no path), got "https://app.example.com/app" @7',
        'server.cors.allowedOrigins[1]: expected an origin such as https://app.example.com (scheme, host, port; no path), got "*.example.com" @7',
        'server.cors.allowedHeaders[0]: expected a header name, got "x tenant" @8',
        "server.cors.maxAgeSeconds: expected a whole number ≥ 0, got -5 @9",
        "server.cors.allowOrigin: unknown key @10",
      ].sort(),
    );
  });

  it('refuses "*" with allowCredentials (a browser would too), and an empty list of origins', () => {
    expect(errorOf(serverSection(`  cors: { allowedOrigins: "*", allowCredentials: true }\n`)).message).toMatch(
      /^config\.yaml: server\.cors\.allowCredentials: expected false or no allowCredentials when allowedOrigins is "\*" \(list the origins instead\), got true \(line \d+, column \d+\)$/,
    );
    expect(errorOf(serverSection(`  cors: { allowedOrigins: [] }\n`)).message).toContain("server.cors.allowedOrigins:");
    expect(errorOf(serverSection(`  cors: {}\n`)).message).toContain("server.cors.allowedOrigins: is required");
  });
});
