import { RegistryClient } from './client.ts';
import type { RegistryClientOptions } from './client.ts';

/**
 * One client per registry host, shared by everything that pulls with the same options (the gate
 * scanning many images): connections, the /v2/ check, credentials and tokens are reused.
 */
export class RegistryClients {
  private readonly options: RegistryClientOptions;
  private readonly clients = new Map<string, RegistryClient>();

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
  }

  get(registry: string): RegistryClient {
    let client = this.clients.get(registry);
    if (!client) {
      client = new RegistryClient(registry, this.options);
      this.clients.set(registry, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
