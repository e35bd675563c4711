/**
 * Secure aggregation with dropout recovery (Bonawitz et al., CCS 2017) and its SecAgg+ variant
 * (Bell et al., CCS 2020): the server learns only the sum of the surviving sites' updates.
 *
 * <p>Pure protocol objects: no network, no files, no static mutable state, no provider installed.
 * One {@link org.medfed.crypto.secagg.SecAggClient} per site per round and one {@link
 * org.medfed.crypto.secagg.SecAggServer} per round, both built from the same {@link
 * org.medfed.crypto.secagg.RoundParameters}.
 *
 * <h2>One round</h2>
 *
 * <ol>
 *   <li><b>Advertise keys.</b> Each site calls {@code advertiseKeys()} and sends the {@code
 *       AdvertiseKeys} (two 32-byte X25519 public keys and a signature by its identity key over
 *       {@code signedPayload()}). The server {@code receive}s each, then {@code closeAdvertising()}
 *       returns the list to send to every site that advertised.
 *   <li><b>Share keys.</b> Each site calls {@code shareKeys(list)}: it checks the signature on
 *       every key it uses (its neighbours' and its own; every site's under the complete graph, and
 *       the server checks them all on receipt), Shamir-shares a fresh 32-byte self-mask seed and
 *       its masking private key (threshold t, share index = position in the sorted site list + 1),
 *       and encrypts one 66-byte share pair per neighbour with AES-256-GCM (94 bytes with nonce and
 *       tag) under HKDF-SHA256 of the X25519 secret of the c keys, the associated data binding
 *       round, sender and recipient. The server checks and stores each {@code ShareKeys}; {@code
 *       closeSharing()} returns, per site, the shares addressed to it.
 *   <li><b>Masked input.</b> Each site calls {@code maskInput(shares, update)}: it decrypts its
 *       shares, quantises the update ({@link org.medfed.crypto.secagg.Quantizer}) and adds PRG(self
 *       seed) and, for each neighbour v that shared keys, +PRG(s_uv) if v's id sorts after its own
 *       and -PRG(s_uv) if before, all mod 2^32. PRG is AES-256-CTR keyed by the full HKDF-SHA256
 *       output. It sends 4·d bytes. {@code closeMasking()} returns the {@code UnmaskRequest} (the
 *       survivors) for every survivor.
 *   <li><b>Unmask.</b> Each survivor calls {@code unmask(request)} and sends one 33-byte share per
 *       site it holds shares of: the self-mask-seed share for survivors, the masking-key share for
 *       sites that dropped after sharing keys, never both. {@code finish()} reconstructs, removes
 *       the masks and decodes the sum.
 * </ol>
 *
 * <p>Trust model: an honest-but-curious server. Against a server that lies about who dropped, use
 * the default threshold ⌊2n/3⌋ + 1; the consistency-check round of Bonawitz et al. (sites sign the
 * survivor list) is not implemented.
 */
package org.medfed.crypto.secagg;
