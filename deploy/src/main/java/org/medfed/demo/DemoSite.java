package org.medfed.demo;

import java.util.List;

/** One hospital of the demo network and the UCI file that holds its records. */
record DemoSite(String id, String country, String hospital, String dataFile, String splitCenter) {

  static final List<DemoSite> ALL =
      List.of(
          new DemoSite(
              "cleveland",
              "USA",
              "Cleveland Clinic Foundation, Ohio",
              "processed.cleveland.data",
              "cleveland"),
          new DemoSite(
              "hungary",
              "Hungary",
              "Hungarian Institute of Cardiology, Budapest",
              "processed.hungarian.data",
              "hungarian"),
          new DemoSite(
              "switzerland",
              "Switzerland",
              "University Hospitals Zurich and Basel",
              "processed.switzerland.data",
              "switzerland"),
          new DemoSite(
              "long-beach",
              "USA",
              "V.A. Medical Center, Long Beach, California",
              "processed.va.data",
              "va"));
}
