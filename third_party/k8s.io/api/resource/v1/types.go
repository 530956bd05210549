/*
Copyright 2025 The Kubernetes Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Vendored by scripts/gen-protobuf.ts: the type declarations of types.go, comments removed.

package v1

type ResourceSlice struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec ResourceSliceSpec `json:"spec" protobuf:"bytes,2,name=spec"`
}
type ResourceSliceSpec struct {
	Driver string `json:"driver" protobuf:"bytes,1,name=driver"`
	Pool ResourcePool `json:"pool" protobuf:"bytes,2,name=pool"`
	NodeName *string `json:"nodeName,omitempty" protobuf:"bytes,3,opt,name=nodeName"`
	NodeSelector *v1.NodeSelector `json:"nodeSelector,omitempty" protobuf:"bytes,4,opt,name=nodeSelector"`
	AllNodes *bool `json:"allNodes,omitempty" protobuf:"bytes,5,opt,name=allNodes"`
	Devices []Device `json:"devices,omitempty" protobuf:"bytes,6,name=devices"`
	PerDeviceNodeSelection *bool `json:"perDeviceNodeSelection,omitempty" protobuf:"bytes,7,name=perDeviceNodeSelection"`
	SharedCounters []CounterSet `json:"sharedCounters,omitempty" protobuf:"bytes,8,name=sharedCounters"`
}
type CounterSet struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
	Counters map[string]Counter `json:"counters,omitempty" protobuf:"bytes,2,name=counters"`
}
type ResourcePool struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
	Generation int64 `json:"generation" protobuf:"bytes,2,name=generation"`
	ResourceSliceCount int64 `json:"resourceSliceCount" protobuf:"bytes,3,name=resourceSliceCount"`
}
type Device struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
	Attributes map[QualifiedName]DeviceAttribute `json:"attributes,omitempty" protobuf:"bytes,2,rep,name=attributes"`
	Capacity map[QualifiedName]DeviceCapacity `json:"capacity,omitempty" protobuf:"bytes,3,rep,name=capacity"`
	ConsumesCounters []DeviceCounterConsumption `json:"consumesCounters,omitempty" protobuf:"bytes,4,rep,name=consumesCounters"`
	NodeName *string `json:"nodeName,omitempty" protobuf:"bytes,5,opt,name=nodeName"`
	NodeSelector *v1.NodeSelector `json:"nodeSelector,omitempty" protobuf:"bytes,6,opt,name=nodeSelector"`
	AllNodes *bool `json:"allNodes,omitempty" protobuf:"bytes,7,opt,name=allNodes"`
	Taints []DeviceTaint `json:"taints,omitempty" protobuf:"bytes,8,rep,name=taints"`
	BindsToNode *bool `json:"bindsToNode,omitempty" protobuf:"varint,9,opt,name=bindsToNode"`
	BindingConditions []string `json:"bindingConditions,omitempty" protobuf:"bytes,10,rep,name=bindingConditions"`
	BindingFailureConditions []string `json:"bindingFailureConditions,omitempty" protobuf:"bytes,11,rep,name=bindingFailureConditions"`
	AllowMultipleAllocations *bool `json:"allowMultipleAllocations,omitempty" protobuf:"bytes,12,opt,name=allowMultipleAllocations"`
}
type DeviceCounterConsumption struct {
	CounterSet string `json:"counterSet" protobuf:"bytes,1,opt,name=counterSet"`
	Counters map[string]Counter `json:"counters,omitempty" protobuf:"bytes,2,opt,name=counters"`
}
type DeviceCapacity struct {
	Value resource.Quantity `json:"value" protobuf:"bytes,1,rep,name=value"`
	RequestPolicy *CapacityRequestPolicy `json:"requestPolicy,omitempty" protobuf:"bytes,2,opt,name=requestPolicy"`
}
type Counter struct {
	Value resource.Quantity `json:"value" protobuf:"bytes,1,rep,name=value"`
}
type CapacityRequestPolicy struct {
	Default *resource.Quantity `json:"default" protobuf:"bytes,1,opt,name=default"`
	ValidValues []resource.Quantity `json:"validValues,omitempty" protobuf:"bytes,3,opt,name=validValues"`
	ValidRange *CapacityRequestPolicyRange `json:"validRange,omitempty" protobuf:"bytes,4,opt,name=validRange"`
}
type CapacityRequestPolicyRange struct {
	Min *resource.Quantity `json:"min,omitempty" protobuf:"bytes,1,opt,name=min"`
	Max *resource.Quantity `json:"max,omitempty" protobuf:"bytes,2,opt,name=max"`
	Step *resource.Quantity `json:"step,omitempty" protobuf:"bytes,3,opt,name=step"`
}
type DeviceAttribute struct {
	IntValue *int64 `json:"int,omitempty" protobuf:"varint,2,opt,name=int"`
	BoolValue *bool `json:"bool,omitempty" protobuf:"varint,3,opt,name=bool"`
	StringValue *string `json:"string,omitempty" protobuf:"bytes,4,opt,name=string"`
	VersionValue *string `json:"version,omitempty" protobuf:"bytes,5,opt,name=version"`
}
type DeviceTaint struct {
	Key string `json:"key" protobuf:"bytes,1,name=key"`
	Value string `json:"value,omitempty" protobuf:"bytes,2,opt,name=value"`
	Effect DeviceTaintEffect `json:"effect" protobuf:"bytes,3,name=effect,casttype=DeviceTaintEffect"`
	TimeAdded *metav1.Time `json:"timeAdded,omitempty" protobuf:"bytes,4,opt,name=timeAdded"`
}
type ResourceSliceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items []ResourceSlice `json:"items" protobuf:"bytes,2,rep,name=items"`
}
type ResourceClaim struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec ResourceClaimSpec `json:"spec" protobuf:"bytes,2,name=spec"`
	Status ResourceClaimStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}
type ResourceClaimSpec struct {
	Devices DeviceClaim `json:"devices" protobuf:"bytes,1,name=devices"`
}
type DeviceClaim struct {
	Requests []DeviceRequest `json:"requests" protobuf:"bytes,1,name=requests"`
	Constraints []DeviceConstraint `json:"constraints,omitempty" protobuf:"bytes,2,opt,name=constraints"`
	Config []DeviceClaimConfiguration `json:"config,omitempty" protobuf:"bytes,3,opt,name=config"`
}
type DeviceRequest struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
	Exactly *ExactDeviceRequest `json:"exactly,omitempty" protobuf:"bytes,2,name=exactly"`
	FirstAvailable []DeviceSubRequest `json:"firstAvailable,omitempty" protobuf:"bytes,3,name=firstAvailable"`
}
type ExactDeviceRequest struct {
	DeviceClassName string `json:"deviceClassName" protobuf:"bytes,1,name=deviceClassName"`
	Selectors []DeviceSelector `json:"selectors,omitempty" protobuf:"bytes,2,name=selectors"`
	AllocationMode DeviceAllocationMode `json:"allocationMode,omitempty" protobuf:"bytes,3,opt,name=allocationMode"`
	Count int64 `json:"count,omitempty" protobuf:"bytes,4,opt,name=count"`
	AdminAccess *bool `json:"adminAccess,omitempty" protobuf:"bytes,5,opt,name=adminAccess"`
	Tolerations []DeviceToleration `json:"tolerations,omitempty" protobuf:"bytes,6,opt,name=tolerations"`
	Capacity *CapacityRequirements `json:"capacity,omitempty" protobuf:"bytes,7,opt,name=capacity"`
}
type DeviceSubRequest struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
	DeviceClassName string `json:"deviceClassName" protobuf:"bytes,2,name=deviceClassName"`
	Selectors []DeviceSelector `json:"selectors,omitempty" protobuf:"bytes,3,name=selectors"`
	AllocationMode DeviceAllocationMode `json:"allocationMode,omitempty" protobuf:"bytes,4,opt,name=allocationMode"`
	Count int64 `json:"count,omitempty" protobuf:"bytes,5,opt,name=count"`
	Tolerations []DeviceToleration `json:"tolerations,omitempty" protobuf:"bytes,6,opt,name=tolerations"`
	Capacity *CapacityRequirements `json:"capacity,omitempty" protobuf:"bytes,7,opt,name=capacity"`
}
type CapacityRequirements struct {
	Requests map[QualifiedName]resource.Quantity `json:"requests,omitempty" protobuf:"bytes,1,rep,name=requests,castkey=QualifiedName"`
}
type DeviceSelector struct {
	CEL *CELDeviceSelector `json:"cel,omitempty" protobuf:"bytes,1,opt,name=cel"`
}
type CELDeviceSelector struct {
	Expression string `json:"expression" protobuf:"bytes,1,name=expression"`
}
type DeviceConstraint struct {
	Requests []string `json:"requests,omitempty" protobuf:"bytes,1,opt,name=requests"`
	MatchAttribute *FullyQualifiedName `json:"matchAttribute,omitempty" protobuf:"bytes,2,opt,name=matchAttribute"`
	DistinctAttribute *FullyQualifiedName `json:"distinctAttribute,omitempty" protobuf:"bytes,3,opt,name=distinctAttribute"`
}
type DeviceClaimConfiguration struct {
	Requests []string `json:"requests,omitempty" protobuf:"bytes,1,opt,name=requests"`
	DeviceConfiguration `json:",inline" protobuf:"bytes,2,name=deviceConfiguration"`
}
type DeviceConfiguration struct {
	Opaque *OpaqueDeviceConfiguration `json:"opaque,omitempty" protobuf:"bytes,1,opt,name=opaque"`
}
type OpaqueDeviceConfiguration struct {
	Driver string `json:"driver" protobuf:"bytes,1,name=driver"`
	Parameters runtime.RawExtension `json:"parameters" protobuf:"bytes,2,name=parameters"`
}
type DeviceToleration struct {
	Key string `json:"key,omitempty" protobuf:"bytes,1,opt,name=key"`
	Operator DeviceTolerationOperator `json:"operator,omitempty" protobuf:"bytes,2,opt,name=operator,casttype=DeviceTolerationOperator"`
	Value string `json:"value,omitempty" protobuf:"bytes,3,opt,name=value"`
	Effect DeviceTaintEffect `json:"effect,omitempty" protobuf:"bytes,4,opt,name=effect,casttype=DeviceTaintEffect"`
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty" protobuf:"varint,5,opt,name=tolerationSeconds"`
}
type ResourceClaimStatus struct {
	Allocation *AllocationResult `json:"allocation,omitempty" protobuf:"bytes,1,opt,name=allocation"`
	ReservedFor []ResourceClaimConsumerReference `json:"reservedFor,omitempty" protobuf:"bytes,2,opt,name=reservedFor" patchStrategy:"merge" patchMergeKey:"uid"`
	Devices []AllocatedDeviceStatus `json:"devices,omitempty" protobuf:"bytes,4,opt,name=devices"`
}
type ResourceClaimConsumerReference struct {
	APIGroup string `json:"apiGroup,omitempty" protobuf:"bytes,1,opt,name=apiGroup"`
	Resource string `json:"resource" protobuf:"bytes,3,name=resource"`
	Name string `json:"name" protobuf:"bytes,4,name=name"`
	UID types.UID `json:"uid" protobuf:"bytes,5,name=uid"`
}
type AllocationResult struct {
	Devices DeviceAllocationResult `json:"devices,omitempty" protobuf:"bytes,1,opt,name=devices"`
	NodeSelector *v1.NodeSelector `json:"nodeSelector,omitempty" protobuf:"bytes,3,opt,name=nodeSelector"`
	AllocationTimestamp *metav1.Time `json:"allocationTimestamp,omitempty" protobuf:"bytes,5,opt,name=allocationTimestamp"`
}
type DeviceAllocationResult struct {
	Results []DeviceRequestAllocationResult `json:"results,omitempty" protobuf:"bytes,1,opt,name=results"`
	Config []DeviceAllocationConfiguration `json:"config,omitempty" protobuf:"bytes,2,opt,name=config"`
}
type DeviceRequestAllocationResult struct {
	Request string `json:"request" protobuf:"bytes,1,name=request"`
	Driver string `json:"driver" protobuf:"bytes,2,name=driver"`
	Pool string `json:"pool" protobuf:"bytes,3,name=pool"`
	Device string `json:"device" protobuf:"bytes,4,name=device"`
	AdminAccess *bool `json:"adminAccess,omitempty" protobuf:"bytes,5,opt,name=adminAccess"`
	Tolerations []DeviceToleration `json:"tolerations,omitempty" protobuf:"bytes,6,opt,name=tolerations"`
	BindingConditions []string `json:"bindingConditions,omitempty" protobuf:"bytes,7,rep,name=bindingConditions"`
	BindingFailureConditions []string `json:"bindingFailureConditions,omitempty" protobuf:"bytes,8,rep,name=bindingFailureConditions"`
	ShareID *types.UID `json:"shareID,omitempty" protobuf:"bytes,9,opt,name=shareID"`
	ConsumedCapacity map[QualifiedName]resource.Quantity `json:"consumedCapacity,omitempty" protobuf:"bytes,10,rep,name=consumedCapacity"`
}
type DeviceAllocationConfiguration struct {
	Source AllocationConfigSource `json:"source" protobuf:"bytes,1,name=source"`
	Requests []string `json:"requests,omitempty" protobuf:"bytes,2,opt,name=requests"`
	DeviceConfiguration `json:",inline" protobuf:"bytes,3,name=deviceConfiguration"`
}
type ResourceClaimList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items []ResourceClaim `json:"items" protobuf:"bytes,2,rep,name=items"`
}
type DeviceClass struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec DeviceClassSpec `json:"spec" protobuf:"bytes,2,name=spec"`
}
type DeviceClassSpec struct {
	Selectors []DeviceSelector `json:"selectors,omitempty" protobuf:"bytes,1,opt,name=selectors"`
	Config []DeviceClassConfiguration `json:"config,omitempty" protobuf:"bytes,2,opt,name=config"`
	ExtendedResourceName *string `json:"extendedResourceName,omitempty" protobuf:"bytes,4,opt,name=extendedResourceName"`
}
type DeviceClassConfiguration struct {
	DeviceConfiguration `json:",inline" protobuf:"bytes,1,opt,name=deviceConfiguration"`
}
type DeviceClassList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items []DeviceClass `json:"items" protobuf:"bytes,2,rep,name=items"`
}
type ResourceClaimTemplate struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec ResourceClaimTemplateSpec `json:"spec" protobuf:"bytes,2,name=spec"`
}
type ResourceClaimTemplateSpec struct {
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec ResourceClaimSpec `json:"spec" protobuf:"bytes,2,name=spec"`
}
type ResourceClaimTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items []ResourceClaimTemplate `json:"items" protobuf:"bytes,2,rep,name=items"`
}
type AllocatedDeviceStatus struct {
	Driver string `json:"driver" protobuf:"bytes,1,rep,name=driver"`
	Pool string `json:"pool" protobuf:"bytes,2,rep,name=pool"`
	Device string `json:"device" protobuf:"bytes,3,rep,name=device"`
	ShareID *string `json:"shareID,omitempty" protobuf:"bytes,7,opt,name=shareID"`
	Conditions []metav1.Condition `json:"conditions" protobuf:"bytes,4,opt,name=conditions"`
	Data *runtime.RawExtension `json:"data,omitempty" protobuf:"bytes,5,opt,name=data"`
	NetworkData *NetworkDeviceData `json:"networkData,omitempty" protobuf:"bytes,6,opt,name=networkData"`
}
type NetworkDeviceData struct {
	InterfaceName string `json:"interfaceName,omitempty" protobuf:"bytes,1,opt,name=interfaceName"`
	IPs []string `json:"ips,omitempty" protobuf:"bytes,2,opt,name=ips"`
	HardwareAddress string `json:"hardwareAddress,omitempty" protobuf:"bytes,3,opt,name=hardwareAddress"`
}
