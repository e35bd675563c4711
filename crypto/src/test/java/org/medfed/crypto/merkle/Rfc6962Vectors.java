package org.medfed.crypto.merkle;

import java.util.HexFormat;
import java.util.List;

/**
 * The published RFC 6962 / RFC 9162 reference vectors, copied from transparency-dev/merkle
 * (github.com/transparency-dev/merkle, files proof/verify_test.go and rfc6962/rfc6962_test.go,
 * Apache-2.0), which carry them over from the Certificate Transparency reference implementation.
 * Their proof tables use 1-based leaf numbers; here indexes are 0-based.
 */
final class Rfc6962Vectors {
  private Rfc6962Vectors() {}

  /** The eight leaf inputs (entries, before leaf hashing). */
  static final List<byte[]> ENTRIES =
      List.of(
          hex(""),
          hex("00"),
          hex("10"),
          hex("2021"),
          hex("3031"),
          hex("40414243"),
          hex("5051525354555657"),
          hex("606162636465666768696a6b6c6d6e6f"));

  /** ROOTS.get(n - 1) is the root hash of the tree of the first n entries. */
  static final List<byte[]> ROOTS =
      List.of(
          hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
          hex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
          hex("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
          hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
          hex("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
          hex("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
          hex("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
          hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"));

  record Inclusion(long index, long treeSize, List<byte[]> proof) {}

  record Consistency(long oldSize, long newSize, List<byte[]> proof) {}

  static final List<Inclusion> INCLUSION_PROOFS =
      List.of(
          new Inclusion(
              0,
              8,
              List.of(
                  hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                  hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                  hex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"))),
          new Inclusion(
              5,
              8,
              List.of(
                  hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                  hex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                  hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"))),
          new Inclusion(
              2,
              3,
              List.of(hex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"))),
          new Inclusion(
              1,
              5,
              List.of(
                  hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                  hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                  hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"))),
          new Inclusion(0, 1, List.of()));

  static final List<Consistency> CONSISTENCY_PROOFS =
      List.of(
          new Consistency(1, 1, List.of()),
          new Consistency(
              1,
              8,
              List.of(
                  hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                  hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                  hex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"))),
          new Consistency(
              6,
              8,
              List.of(
                  hex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                  hex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                  hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"))),
          new Consistency(
              2,
              5,
              List.of(
                  hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                  hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"))),
          new Consistency(
              6,
              7,
              List.of(
                  hex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                  hex("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                  hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"))));

  /** SHA-256 of the empty string: the empty tree's root. */
  static final byte[] EMPTY_ROOT =
      hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  /** An arbitrary well-formed hash that is nobody's root, from the same source. */
  static final byte[] SOME_HASH =
      hex("abacaba000000000000000000000000000000000000000000060061e00123456");

  static MerkleTree referenceTree() {
    MerkleTree tree = new MerkleTree();
    ENTRIES.forEach(tree::append);
    return tree;
  }

  static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }
}
