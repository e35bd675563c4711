/**
 * The server optimiser step every party can recompute: the coordinator applies it to each round's
 * aggregate, and the auditor replays it from the logged strategy, the retained initial model and
 * the recomputed aggregates to check each logged global model.
 *
 * <p>{@link org.medfed.crypto.aggregation.Strategy} (FedAvg/FedProx, FedAdam, FedYogi, FedAdagrad)
 * is a pure function of the global weights, the {@link org.medfed.crypto.aggregation.ServerState}
 * carried between rounds, and the round's {@link org.medfed.crypto.aggregation.SiteUpdate}s. The
 * floating-point order of operations is part of the contract: the exchange log's model digests are
 * over {@link org.medfed.crypto.aggregation.ModelEncoding}, so a reordered sum would break every
 * replay. docs/exchange-log.md states the order for independent verifiers.
 */
package org.medfed.crypto.aggregation;
