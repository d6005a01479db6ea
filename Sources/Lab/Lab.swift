/// The Lab module.
enum LabModule {}
