package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RdpAccountantTest {
  private static final SampledGaussian MNIST = new SampledGaussian(256.0 / 60000.0, 1.1);
  private static final long MNIST_STEPS = 14_063; // 60 epochs of 60000 / 256 steps

  @Test
  void reproducesTfPrivacyMnistTutorialWithTheClassicConversion() {
    PrivacySpent spent =
        RdpAccountant.create().plus(MNIST, MNIST_STEPS).privacySpent(1e-5, RdpConversion.CLASSIC);
    assertEquals(3.01, spent.epsilon(), 0.01);
  }

  @Test
  void reproducesOpacusWithTheBalleConversion() {
    PrivacySpent spent =
        RdpAccountant.create()
            .plus(MNIST, MNIST_STEPS)
            .privacySpent(1e-5, RdpConversion.BALLE_2020);
    assertEquals(2.60, spent.epsilon(), 0.01);
  }

  @Test
  void matchesGoogleDpAccountingAtIntegerAndFractionalOrders() {
    // dp_accounting rdp_privacy_accountant_test: q = 0.01, sigma = 2.5, 50 steps, rtol 1e-4.
    double[] expected = {
      6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 167.416308
    };
    double[] rdp =
        RdpAccountant.withOrders(1.5, 2.5, 5, 50, 100)
            .plus(new SampledGaussian(0.01, 2.5), 50)
            .rdp();
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], rdp[k], 1e-4 * expected[k], "order index " + k);
    }
  }

  @Test
  void fullBatchGivesTheGaussianClosedForm() {
    // q = 1: RDP(alpha) = T alpha / (2 sigma^2) at every order.
    double sigma = 1.7;
    long steps = 40;
    RdpAccountant accountant = RdpAccountant.create().plus(new SampledGaussian(1.0, sigma), steps);
    double[] orders = accountant.orders();
    double[] rdp = accountant.rdp();
    double bestClassic = Double.POSITIVE_INFINITY;
    for (int k = 0; k < orders.length; k++) {
      double closed = steps * orders[k] / (2 * sigma * sigma);
      assertEquals(closed, rdp[k], 1e-12 * closed);
      bestClassic = Math.min(bestClassic, closed + Math.log(1e5) / (orders[k] - 1));
    }
    assertEquals(
        bestClassic, accountant.privacySpent(1e-5, RdpConversion.CLASSIC).epsilon(), 1e-12);
  }

  @Test
  void fullBatchIntegerAndFractionalSeriesAgreeWithTheClosedFormInTheLimit() {
    // As q -> 1 both series approach alpha / (2 sigma^2).
    SampledGaussian nearlyFull = new SampledGaussian(1.0 - 1e-9, 2.0);
    assertEquals(3.0 / 8.0, nearlyFull.rdp(3.0), 1e-6);
    assertEquals(3.5 / 8.0, nearlyFull.rdp(3.5), 1e-6);
  }

  @Test
  void stepsOfSeveralRoundsAdd() {
    SampledGaussian round = new SampledGaussian(0.05, 1.3);
    RdpAccountant twoRounds = RdpAccountant.create().plus(round, 120).plus(round, 80);
    RdpAccountant oneRun = RdpAccountant.create().plus(round, 200);
    assertArrayEquals(oneRun.rdp(), twoRounds.rdp(), 1e-12);
  }

  @Test
  void nothingChargedSpendsNothing() {
    assertEquals(
        0.0, RdpAccountant.create().privacySpent(1e-5, RdpConversion.BALLE_2020).epsilon());
  }

  @Test
  void inverseFindsTheNoiseMultiplierOfTheMnistTutorial() {
    double sigma =
        RdpAccountant.noiseMultiplierFor(
            3.0084, 1e-5, 256.0 / 60000.0, 14_063, RdpConversion.CLASSIC);
    assertEquals(1.1, sigma, 1e-3);
    double reached =
        RdpAccountant.create()
            .plus(new SampledGaussian(256.0 / 60000.0, sigma), 14_063)
            .privacySpent(1e-5, RdpConversion.CLASSIC)
            .epsilon();
    assertTrue(reached <= 3.0084, "sigma " + sigma + " reaches " + reached);
  }

  @Test
  void badMechanismParametersAreRefusedInOneSentence() {
    IllegalArgumentException noise =
        assertThrows(IllegalArgumentException.class, () -> new SampledGaussian(0.1, 0.0));
    assertEquals("noise multiplier must be positive and finite, got 0.0", noise.getMessage());
    IllegalArgumentException rate =
        assertThrows(IllegalArgumentException.class, () -> new SampledGaussian(1.5, 1.0));
    assertEquals("sampling rate must be in (0, 1], got 1.5", rate.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SampledGaussian(0.0, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new SampledGaussian(0.1, 1.0).rdp(1.0));
  }

  @Test
  void badAccountingArgumentsAreRefused() {
    RdpAccountant accountant = RdpAccountant.create();
    IllegalArgumentException delta =
        assertThrows(
            IllegalArgumentException.class,
            () -> accountant.privacySpent(0.0, RdpConversion.CLASSIC));
    assertEquals("delta must be in (0, 1), got 0.0", delta.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> accountant.plus(new SampledGaussian(0.1, 1), -1));
    assertThrows(IllegalArgumentException.class, () -> RdpAccountant.withOrders(0.5));
  }
}
