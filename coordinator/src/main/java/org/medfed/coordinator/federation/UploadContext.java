package org.medfed.coordinator.federation;

import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.RoundEngine;

/**
 * What the endpoint's chunked uploads share with the rest of the federation service.
 *
 * @param maxChunkElements the most elements one chunk may carry
 * @param coordinatorName the receiver named in the log entries of uploads
 */
record UploadContext(
    RoundEngine engine,
    ExchangeLog exchangeLog,
    SenderSignatures signatures,
    int maxChunkElements,
    String coordinatorName) {}
