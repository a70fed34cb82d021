/**
 * JSON Schemas for the Argo Events kinds deploy/ uses (EventSource with a GitHub source, Sensor
 * with an Argo Workflow trigger). Argo Events publishes no models package, so these are written
 * down from its API reference (argoproj.github.io/argo-events/APIs, events v1alpha1: EventSource,
 * EventSourceSpec, GithubEventSource, OwnedRepositories, WebhookContext, Service; Sensor,
 * SensorSpec, EventDependency, EventDependencyFilter, DataFilter, Trigger, TriggerTemplate,
 * ArgoWorkflowTrigger, ArtifactLocation.resource, TriggerParameter, TriggerParameterSource) for
 * the fields we use, closed (additionalProperties: false) so a misspelt field fails.
 */
const secretKeySelector = { type: 'object', required: ['name', 'key'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 }, optional: { type: 'boolean' } } };
const metadata = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }, namespace: { type: 'string' } } };

const webhookContext = {
  type: 'object', required: ['endpoint', 'port', 'method'], additionalProperties: false,
  properties: {
    endpoint: { type: 'string', pattern: '^/' }, method: { enum: ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'] },
    port: { type: 'string', pattern: '^[0-9]{1,5}$' }, url: { type: 'string', pattern: '^https?://' },
    serverCertSecret: secretKeySelector, serverKeySecret: secretKeySelector, authSecret: secretKeySelector,
    metadata: { type: 'object', additionalProperties: { type: 'string' } }, maxPayloadSize: { type: 'integer' },
  },
};

const githubEventSource = {
  type: 'object', required: ['webhook', 'events'], additionalProperties: false,
  properties: {
    id: { type: 'integer' }, owner: { type: 'string' }, repository: { type: 'string' },
    repositories: { type: 'array', minItems: 1, items: { type: 'object', required: ['owner', 'names'], additionalProperties: false, properties: { owner: { type: 'string', minLength: 1 }, names: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } } } },
    organizations: { type: 'array', items: { type: 'string' } },
    webhook: webhookContext,
    events: { type: 'array', minItems: 1, items: { type: 'string' } },
    apiToken: secretKeySelector, webhookSecret: secretKeySelector,
    insecure: { type: 'boolean' }, active: { type: 'boolean' }, contentType: { enum: ['json', 'form'] },
    githubBaseURL: { type: 'string' }, githubUploadURL: { type: 'string' }, deleteHookOnFinish: { type: 'boolean' },
    metadata: { type: 'object', additionalProperties: { type: 'string' } }, filter: { type: 'object', properties: { expression: { type: 'string' } } },
  },
};

export const EVENT_SOURCE_SCHEMA = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], additionalProperties: false,
  properties: {
    apiVersion: { const: 'argoproj.io/v1alpha1' }, kind: { const: 'EventSource' }, metadata,
    spec: {
      type: 'object', additionalProperties: false, minProperties: 1,
      properties: {
        eventBusName: { type: 'string' },
        template: { type: 'object' },
        service: { type: 'object', additionalProperties: false, required: ['ports'], properties: { ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, targetPort: { type: ['integer', 'string'] } } } }, clusterIP: { type: 'string' } } },
        github: { type: 'object', minProperties: 1, additionalProperties: githubEventSource },
      },
    },
  },
};

const triggerParameter = {
  type: 'object', required: ['src', 'dest'], additionalProperties: false,
  properties: {
    src: {
      type: 'object', required: ['dependencyName'], additionalProperties: false,
      properties: { dependencyName: { type: 'string' }, dataKey: { type: 'string' }, dataTemplate: { type: 'string' }, contextKey: { type: 'string' }, contextTemplate: { type: 'string' }, value: { type: 'string' }, useRawData: { type: 'boolean' } },
    },
    dest: { type: 'string', minLength: 1 },
    operation: { enum: ['append', 'overwrite', 'prepend'] },
  },
};

export const SENSOR_SCHEMA = {
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], additionalProperties: false,
  properties: {
    apiVersion: { const: 'argoproj.io/v1alpha1' }, kind: { const: 'Sensor' }, metadata,
    spec: {
      type: 'object', required: ['dependencies', 'triggers'], additionalProperties: false,
      properties: {
        eventBusName: { type: 'string' },
        template: { type: 'object', properties: { serviceAccountName: { type: 'string' } } },
        dependencies: {
          type: 'array', minItems: 1,
          items: {
            type: 'object', required: ['name', 'eventSourceName', 'eventName'], additionalProperties: false,
            properties: {
              name: { type: 'string' }, eventSourceName: { type: 'string' }, eventName: { type: 'string' },
              filters: { type: 'object', additionalProperties: false, properties: { data: { type: 'array', items: { type: 'object', required: ['path', 'type', 'value'], additionalProperties: false, properties: { path: { type: 'string' }, type: { enum: ['string', 'number', 'bool'] }, value: { type: 'array', items: { type: 'string' } }, comparator: { type: 'string' }, template: { type: 'string' } } } }, exprLogicalOperator: { type: 'string' }, dataLogicalOperator: { type: 'string' } } },
            },
          },
        },
        triggers: {
          type: 'array', minItems: 1,
          items: {
            type: 'object', required: ['template'], additionalProperties: false,
            properties: {
              template: {
                type: 'object', required: ['name'], additionalProperties: false,
                properties: {
                  name: { type: 'string' }, conditions: { type: 'string' },
                  argoWorkflow: {
                    type: 'object', required: ['source'], additionalProperties: false,
                    properties: {
                      operation: { enum: ['submit', 'submit-from', 'resubmit', 'resume', 'retry', 'suspend', 'terminate', 'stop'] },
                      source: { type: 'object', additionalProperties: false, properties: { resource: { type: 'object', required: ['apiVersion', 'kind'] } } },
                      parameters: { type: 'array', items: triggerParameter },
                      args: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
              },
              parameters: { type: 'array', items: triggerParameter },
              retryStrategy: { type: 'object', properties: { steps: { type: 'integer', minimum: 1 } } },
              policy: { type: 'object' },
            },
          },
        },
      },
    },
  },
};
