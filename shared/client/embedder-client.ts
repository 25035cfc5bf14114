import {
  EmbedderClient as GeneratedEmbedderClient,
  EmbedRequest,
  InfoRequest,
  InputType,
  type EmbedResponse,
  type InfoResponse,
} from '../generated/polysearch/embedder/v1/embedder.js';
import { resolveChannel, type CallOptions, type Channel, type ClientOptions } from './channel.js';
import { unary, type UnaryMethod } from './unary.js';

/** Which e5 role the texts play. The embedder adds the prefix; send raw text. */
export type Role = 'query' | 'passage' | InputType;

const INPUT_TYPE: Record<'query' | 'passage', InputType> = {
  query: InputType.INPUT_TYPE_QUERY,
  passage: InputType.INPUT_TYPE_PASSAGE,
};

/**
 * Typed client of polysearch.embedder.v1.Embedder. RESOURCE_EXHAUSTED (queue
 * full) is retried after the server's retry-after-ms when it sends one.
 */
export class PolysearchEmbedderClient {
  private readonly channel: Channel;
  private readonly client: GeneratedEmbedderClient;

  constructor(options: ClientOptions) {
    this.channel = resolveChannel(options);
    this.client = new GeneratedEmbedderClient(this.channel.address, this.channel.credentials, {
      // A batch of 64 vectors of 1024 floats is well over grpc-js's 4 MiB default.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      ...this.channel.channelOptions,
    });
  }

  private call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options?: CallOptions): Promise<Res> {
    return unary(this.channel, method.bind(this.client) as UnaryMethod<Req, Res>, request, options);
  }

  /** One vector per text, in order, with the model fingerprint to store beside them. */
  embed(texts: string[], role: Role, options?: CallOptions): Promise<EmbedResponse> {
    const inputType = typeof role === 'string' ? INPUT_TYPE[role] : role;
    return this.call(this.client.embed, EmbedRequest.fromPartial({ texts, inputType }), options);
  }

  /** The model fingerprint and the limits this instance enforces. */
  info(options?: CallOptions): Promise<InfoResponse> {
    return this.call(this.client.info, InfoRequest.fromPartial({}), options);
  }

  close(): void {
    this.client.close();
  }
}
